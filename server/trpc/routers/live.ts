/**
 * The live view: every service and instance with the engine's state (health,
 * breaker, weights) and the last second's rates and latency from the stats
 * recorder. A query for the first paint, and a subscription (SSE) that yields
 * a new view every second.
 */
import { on, EventEmitter } from "node:events";
import { z } from "zod";
import type { ServiceSnapshot } from "../../engine";
import type { LiveSnapshot, Runtime } from "../../runtime";
import { createTRPCRouter, procedure } from "../init";

const liveInstance = z.object({
  id: z.string(),
  host: z.string(),
  port: z.number(),
  weight: z.number(),
  enabled: z.boolean(),
  draining: z.boolean(),
  source: z.string().nullable(),
  eligible: z.boolean(),
  health: z.enum(["unknown", "healthy", "unhealthy"]),
  lastHealthReason: z.string().nullable(),
  breaker: z.object({
    state: z.enum(["closed", "open", "half_open", "forced_open"]),
    consecutiveFailures: z.number(),
    halfOpenAt: z.number().nullable(),
  }),
  activeConnections: z.number(),
  totalRequests: z.number(),
  failedRequests: z.number(),
  requestsPerSecond: z.number(),
  errorRatio: z.number(),
  p95Ms: z.number(),
});

const liveService = z.object({
  name: z.string(),
  algorithm: z.string(),
  instanceCount: z.number(),
  healthyCount: z.number(),
  availableCount: z.number(),
  activeConnections: z.number(),
  requestsPerSecond: z.number(),
  errorRatio: z.number(),
  avgMs: z.number(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  instances: z.array(liveInstance),
});

export const liveView = z.object({ at: z.number(), services: z.array(liveService) });
export type LiveView = z.infer<typeof liveView>;

function toLiveView(snapshots: readonly ServiceSnapshot[], live: LiveSnapshot | undefined, now: number, wallClockOf: (at: number) => number): LiveView {
  const rates = new Map(live?.services.map((s) => [s.name, s]) ?? []);
  return {
    at: live?.at ?? now,
    services: snapshots.map((s) => {
      const rate = rates.get(s.name);
      const instanceRates = new Map(rate?.instances.map((i) => [i.id, i]) ?? []);
      return {
        name: s.name,
        algorithm: s.algorithm,
        instanceCount: s.instances.length,
        healthyCount: s.healthyCount,
        availableCount: s.availableCount,
        activeConnections: s.instances.reduce((sum, i) => sum + i.activeConnections, 0),
        requestsPerSecond: rate?.requestsPerSecond ?? 0,
        errorRatio: rate?.errorRatio ?? 0,
        avgMs: rate?.avgMs ?? 0,
        p50Ms: rate?.p50Ms ?? 0,
        p95Ms: rate?.p95Ms ?? 0,
        p99Ms: rate?.p99Ms ?? 0,
        instances: s.instances.map((i) => {
          const r = instanceRates.get(i.id);
          return {
            id: i.id,
            host: i.host,
            port: i.port,
            weight: i.weight,
            enabled: i.enabled,
            draining: i.draining,
            source: i.source,
            eligible: i.eligible,
            health: i.health,
            lastHealthReason: i.lastHealthReason ?? null,
            breaker: {
              state: i.breaker.state,
              consecutiveFailures: i.breaker.consecutiveFailures,
              halfOpenAt: i.breaker.halfOpenAt === undefined ? null : wallClockOf(i.breaker.halfOpenAt),
            },
            activeConnections: i.activeConnections,
            totalRequests: i.totalRequests,
            failedRequests: i.failedRequests,
            requestsPerSecond: r?.requestsPerSecond ?? 0,
            errorRatio: r?.errorRatio ?? 0,
            p95Ms: r?.p95Ms ?? 0,
          };
        }),
      };
    }),
  };
}

export function currentLiveView(runtime: Runtime, live = runtime.stats.live()): LiveView {
  const monotonicNow = performance.now();
  const wallNow = Date.now();
  return toLiveView(runtime.engine.listServices(), live, wallNow, (at) => wallNow - (monotonicNow - at));
}

export const liveRouter = createTRPCRouter({
  /** The current view, for the first paint. */
  now: procedure.meta({ role: "viewer" }).output(liveView).query(({ ctx }) => currentLiveView(ctx.runtime)),
  /** A new view every second, while the browser listens. */
  stream: procedure.meta({ role: "viewer" }).subscription(async function* ({ ctx, signal }) {
    const emitter = new EventEmitter();
    const dispose = ctx.runtime.stats.onLive((snapshot) => emitter.emit("live", snapshot));
    try {
      yield currentLiveView(ctx.runtime);
      for await (const [snapshot] of on(emitter, "live", { signal })) {
        yield currentLiveView(ctx.runtime, snapshot as LiveSnapshot);
      }
    } catch (error) {
      if (!(error instanceof Error && error.name === "AbortError")) throw error;
    } finally {
      dispose();
    }
  }),
});
