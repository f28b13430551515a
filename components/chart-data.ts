// Joins what the server shaped for charts (stored roll-ups from stats.series /
// stats.byInstance, per-second points from stats.liveHistory) with the live
// stream's views, so a live chart appends one point a second without
// refetching its range. Pure functions: no fetching, no state.
import type { RouterInputs, RouterOutputs } from "@/server/trpc";
import type { LiveView } from "./live-view";

export type Series = RouterOutputs["stats"]["series"];
export type InstanceSeries = RouterOutputs["stats"]["byInstance"];
export type LiveHistory = RouterOutputs["stats"]["liveHistory"];
export type RangeInput = RouterInputs["stats"]["series"]["range"];
export type LastRange = Extract<RangeInput, { last: string }>["last"];

export type RangeChoice = { kind: "last"; last: LastRange } | { kind: "custom"; from: number; to: number };

export const RANGE_MS: Record<LastRange, number> = { "5m": 5 * 60_000, "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 };
/** Live mode covers the last five minutes. */
export const LIVE_WINDOW_MS = RANGE_MS["5m"];

export const rangeInput = (range: RangeChoice): RangeInput => (range.kind === "last" ? { last: range.last } : { from: range.from, to: range.to });
export const rangeSpanMs = (range: RangeChoice): number => (range.kind === "last" ? RANGE_MS[range.last] : range.to - range.from);

export interface ServicePoint {
  t: number;
  requestsPerSecond: number;
  errorPercent: number;
  /** Latencies are null where nothing was answered (a gap, not a fake 0 ms). */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  activeConnections: number;
}

export interface HealthPoint {
  t: number;
  healthy: number;
  unhealthy: number;
}

export interface InstanceRatesRow {
  t: number;
  /** req/s by instance id. */
  values: Record<string, number>;
}

export interface InstancePoint {
  t: number;
  requestsPerSecond: number;
  p95Ms: number | null;
}

const latency = (ms: number, requestsPerSecond: number): number | null => (requestsPerSecond > 0 ? ms : null);

function trim<T extends { t: number }>(points: T[], windowMs: number): T[] {
  const newest = points.at(-1)?.t;
  if (newest === undefined) return points;
  const first = points.findIndex((p) => p.t >= newest - windowMs);
  return first <= 0 ? points : points.slice(first);
}

/** Service-level points: stored buckets, then (live) the per-second history and stream after them. */
export function servicePoints(
  stored: Series | undefined,
  history: LiveHistory | undefined,
  frames: readonly LiveView[],
  service: string,
  live: boolean,
): { points: ServicePoint[]; health: HealthPoint[] } {
  const points: ServicePoint[] = (stored?.points ?? []).map((p) => ({
    t: p.t,
    requestsPerSecond: p.requestsPerSecond,
    errorPercent: p.errorRatio * 100,
    p50Ms: latency(p.p50Ms, p.requests),
    p95Ms: latency(p.p95Ms, p.requests),
    p99Ms: latency(p.p99Ms, p.requests),
    activeConnections: p.activeConnections,
  }));
  const health: HealthPoint[] = (stored?.points ?? []).map((p) => ({ t: p.t, healthy: p.healthyInstances, unhealthy: p.unhealthyInstances }));
  if (!live) return { points, health };

  const lastStored = stored?.points.at(-1);
  const storedEnd = lastStored === undefined ? -Infinity : lastStored.t + (stored?.bucketMs ?? 0);
  let last = storedEnd;
  for (const p of history ?? []) {
    if (p.t <= last) continue;
    const rps = p.requestsPerSecond;
    points.push({ t: p.t, requestsPerSecond: rps, errorPercent: p.errorRatio * 100, p50Ms: latency(p.p50Ms, rps), p95Ms: latency(p.p95Ms, rps), p99Ms: latency(p.p99Ms, rps), activeConnections: p.activeConnections });
    last = p.t;
  }
  let lastHealth = storedEnd;
  for (const frame of frames) {
    const s = frame.services.find((x) => x.name === service);
    if (s === undefined) continue;
    if (frame.at > last) {
      const rps = s.requestsPerSecond;
      points.push({ t: frame.at, requestsPerSecond: rps, errorPercent: s.errorRatio * 100, p50Ms: latency(s.p50Ms, rps), p95Ms: latency(s.p95Ms, rps), p99Ms: latency(s.p99Ms, rps), activeConnections: s.activeConnections });
      last = frame.at;
    }
    if (frame.at > lastHealth) {
      health.push({ t: frame.at, healthy: s.healthyCount, unhealthy: s.instances.filter((i) => i.health === "unhealthy").length });
      lastHealth = frame.at;
    }
  }
  return { points: trim(points, LIVE_WINDOW_MS), health: trim(health, LIVE_WINDOW_MS) };
}

/** Throughput by instance: stored buckets pivoted to one row per time, then (live) the stream's views. */
export function instanceRateRows(
  stored: InstanceSeries | undefined,
  frames: readonly LiveView[],
  service: string,
  live: boolean,
): { rows: InstanceRatesRow[]; ids: string[] } {
  const ids = new Set<string>();
  const byTime = new Map<number, InstanceRatesRow>();
  let storedEnd = -Infinity;
  for (const instance of stored?.instances ?? []) {
    ids.add(instance.id);
    for (const p of instance.points) {
      let row = byTime.get(p.t);
      if (row === undefined) {
        row = { t: p.t, values: {} };
        byTime.set(p.t, row);
      }
      row.values[instance.id] = p.requestsPerSecond;
      storedEnd = Math.max(storedEnd, p.t + (stored?.bucketMs ?? 0));
    }
  }
  const rows = [...byTime.values()].sort((a, b) => a.t - b.t);
  if (live) {
    let last = storedEnd;
    for (const frame of frames) {
      if (frame.at <= last) continue;
      const s = frame.services.find((x) => x.name === service);
      if (s === undefined) continue;
      const values: Record<string, number> = {};
      for (const i of s.instances) {
        ids.add(i.id);
        values[i.id] = i.requestsPerSecond;
      }
      rows.push({ t: frame.at, values });
      last = frame.at;
    }
  }
  return { rows: live ? trim(rows, LIVE_WINDOW_MS) : rows, ids: [...ids].sort((a, b) => a.localeCompare(b)) };
}

/** One instance's req/s and p95: stored buckets, then (live) the stream's views. */
export function instancePoints(stored: Series | undefined, frames: readonly LiveView[], service: string, instanceId: string, live: boolean): InstancePoint[] {
  const points: InstancePoint[] = (stored?.points ?? []).map((p) => ({ t: p.t, requestsPerSecond: p.requestsPerSecond, p95Ms: latency(p.p95Ms, p.requests) }));
  if (!live) return points;
  const lastStored = stored?.points.at(-1);
  let last = lastStored === undefined ? -Infinity : lastStored.t + (stored?.bucketMs ?? 0);
  for (const frame of frames) {
    if (frame.at <= last) continue;
    const i = frame.services.find((x) => x.name === service)?.instances.find((x) => x.id === instanceId);
    if (i === undefined) continue;
    points.push({ t: frame.at, requestsPerSecond: i.requestsPerSecond, p95Ms: latency(i.p95Ms, i.requestsPerSecond) });
    last = frame.at;
  }
  return trim(points, LIVE_WINDOW_MS);
}
