/** Stored statistics as chart series: per service, per instance, and throughput by instance. */
import { z } from "zod";
import { createTRPCRouter, procedure } from "../init";

const RANGES_MS = { "5m": 5 * 60_000, "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 } as const;
const MAX_RANGE_MS = 90 * 86_400_000;

const rangeInput = z.union([
  z.object({ last: z.enum(["5m", "1h", "24h", "7d"]) }),
  z
    .object({ from: z.number().int().nonnegative(), to: z.number().int().positive() })
    .refine((r) => r.to > r.from, "to must be after from")
    .refine((r) => r.to - r.from <= MAX_RANGE_MS, "a range spans at most 90 days"),
]);

function resolveRange(range: z.infer<typeof rangeInput>): { from: number; to: number } {
  if ("last" in range) {
    const to = Date.now();
    return { from: to - RANGES_MS[range.last], to };
  }
  return range;
}

const name = z.string().min(1).max(128);
const plan = { resolution: z.enum(["raw", "1m", "1h"]), bucketMs: z.number() };
const point = z.object({
  t: z.number(),
  requests: z.number(),
  failed: z.number(),
  requestsPerSecond: z.number(),
  errorRatio: z.number(),
  avgMs: z.number(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  activeConnections: z.number(),
  healthyInstances: z.number(),
  unhealthyInstances: z.number(),
});

export const statsRouter = createTRPCRouter({
  series: procedure.meta({ role: "viewer" })
    .input(z.object({ service: name, instanceId: name.optional(), range: rangeInput }))
    .output(z.object({ ...plan, from: z.number(), to: z.number(), points: z.array(point) }))
    .query(({ ctx, input }) => ctx.runtime.stats.series({ service: input.service, instanceId: input.instanceId, ...resolveRange(input.range) })),
  byInstance: procedure.meta({ role: "viewer" })
    .input(z.object({ service: name, range: rangeInput }))
    .output(
      z.object({
        ...plan,
        instances: z.array(
          z.object({
            id: z.string(),
            points: z.array(z.object({ t: z.number(), requestsPerSecond: z.number(), errorRatio: z.number(), p95Ms: z.number() })),
          }),
        ),
      }),
    )
    .query(({ ctx, input }) => ctx.runtime.stats.instanceSeries({ service: input.service, ...resolveRange(input.range) })),
  /** Up to five minutes of per-second live points of a service, for the live chart's first paint. */
  liveHistory: procedure.meta({ role: "viewer" })
    .input(z.object({ service: name }))
    .output(z.array(z.object({ t: z.number(), requestsPerSecond: z.number(), errorRatio: z.number(), p50Ms: z.number(), p95Ms: z.number(), p99Ms: z.number(), activeConnections: z.number() })))
    .query(({ ctx, input }) =>
      ctx.runtime.stats.liveHistory().flatMap((snapshot) => {
        const s = snapshot.services.find((x) => x.name === input.service);
        return s === undefined
          ? []
          : [{ t: snapshot.at, requestsPerSecond: s.requestsPerSecond, errorRatio: s.errorRatio, p50Ms: s.p50Ms, p95Ms: s.p95Ms, p99Ms: s.p99Ms, activeConnections: s.activeConnections }];
      }),
    ),
});
