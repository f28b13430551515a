/**
 * One undici Pool per upstream origin (host:port), created on first use and
 * reused: keep-alive connections, a connection cap per instance, and an idle
 * timeout (4 s) below the 5 s keep-alive of Node and many other backends, so
 * the proxy never reuses a connection the backend is about to close.
 */
import { Pool } from "undici";

export const UPSTREAM_KEEP_ALIVE_MS = 4_000;

export class UpstreamPools {
  readonly #pools = new Map<string, Pool>();

  constructor(private readonly connectionsPerOrigin: number = 128) {}

  get(host: string, port: number): Pool {
    const key = `${host}:${port}`;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = new Pool(`http://${key}`, {
        connections: this.connectionsPerOrigin,
        keepAliveTimeout: UPSTREAM_KEEP_ALIVE_MS,
        keepAliveMaxTimeout: UPSTREAM_KEEP_ALIVE_MS,
        connect: { timeout: 5_000 },
      });
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /** Drops the pool of an origin no instance uses any more (in-flight requests finish). */
  release(host: string, port: number): void {
    const key = `${host}:${port}`;
    const pool = this.#pools.get(key);
    if (pool === undefined) return;
    this.#pools.delete(key);
    void pool.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
  }
}
