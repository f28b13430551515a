/**
 * One undici Pool per upstream origin (host:port), created on first use and
 * reused: keep-alive connections, a connection cap per instance (the
 * service's maxConnectionsPerInstance: the engine never has more requests in
 * flight to one instance, so none queue here), and an idle timeout (4 s)
 * below the 5 s keep-alive of Node and many other backends, so the proxy
 * never reuses a connection the backend is about to close. Pools of origins
 * no instance uses any more are closed (their in-flight requests finish).
 */
import { Pool } from "undici";

export const UPSTREAM_KEEP_ALIVE_MS = 4_000;

export class UpstreamPools {
  readonly #pools = new Map<string, Pool>();

  /** `origin`: "host:port" (engine's originOf); `connections`: cap for a new pool (Infinity → undici's unlimited). */
  get(origin: string, connections: number): Pool {
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(`http://${origin}`, {
        connections: Number.isFinite(connections) ? connections : null,
        keepAliveTimeout: UPSTREAM_KEEP_ALIVE_MS,
        keepAliveMaxTimeout: UPSTREAM_KEEP_ALIVE_MS,
        connect: { timeout: 5_000 },
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /** Drops the pool of an origin ("host:port") no instance uses any more (in-flight requests finish). */
  release(origin: string): void {
    const key = origin;
    const pool = this.#pools.get(key);
    if (pool === undefined) return;
    this.#pools.delete(key);
    void pool.close().catch(() => undefined);
  }

  /** Origins with a pool (tests). */
  origins(): string[] {
    return [...this.#pools.keys()];
  }

  async closeAll(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
  }
}
