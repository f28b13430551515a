/**
 * Chart series from stored samples. A chart of any range reads a few hundred
 * points at most: the source resolution is chosen by the range (raw up to an
 * hour, 1-minute roll-ups up to a day, 1-hour beyond) and rows are merged into
 * buckets of a "nice" size so that at most MAX_POINTS remain. The newest part
 * of a range that is not rolled up yet is read from the finer resolution, so
 * a chart always reaches the present.
 */
import type { Db, Resolution, SampleRow } from "../db";
import { DEFAULT_RETENTION, type Retention } from "./maintenance";
import { RESOLUTION_MS, rollUp } from "./rollup";

export const MAX_POINTS = 300;
const NICE_BUCKETS_MS = [5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 28_800_000, 43_200_000, 86_400_000];
const FINER: Record<Resolution, Resolution | undefined> = { raw: undefined, "1m": "raw", "1h": "1m" };

export interface SeriesPlan {
  resolution: Resolution;
  bucketMs: number;
}

/** Picks the source resolution and bucket size for [from, to), given what retention keeps at `now`. */
export function planSeries(from: number, to: number, now: number, retention: Retention = DEFAULT_RETENTION): SeriesPlan {
  if (!(to > from)) throw new RangeError(`series range must end after it starts (from ${from}, to ${to})`);
  const span = to - from;
  let resolution: Resolution;
  if (span <= 3_600_000 && from >= now - retention.rawMs) resolution = "raw";
  else if (span <= 86_400_000 && from >= now - retention.minuteMs) resolution = "1m";
  else resolution = "1h";
  const minimum = RESOLUTION_MS[resolution];
  const wanted = span / MAX_POINTS;
  const bucketMs = NICE_BUCKETS_MS.find((b) => b >= minimum && b >= wanted) ?? Math.ceil(wanted / 86_400_000) * 86_400_000;
  return { resolution, bucketMs };
}

export interface SeriesPoint {
  /** Bucket start, wall-clock ms. */
  t: number;
  requests: number;
  failed: number;
  requestsPerSecond: number;
  errorRatio: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  activeConnections: number;
  healthyInstances: number;
  unhealthyInstances: number;
}

export interface Series extends SeriesPlan {
  from: number;
  to: number;
  points: SeriesPoint[];
}

/** Rows of one series selection at `resolution`, plus the not-yet-rolled-up tail from finer resolutions. */
async function rowsWithTail(
  db: Pick<Db, "stats">,
  resolution: Resolution,
  serviceName: string,
  instanceId: string,
  from: number,
  to: number,
  withoutHistogram = false,
): Promise<SampleRow[]> {
  const rows = await db.stats.range({ resolution, serviceName, instanceId, from: new Date(from), to: new Date(to), withoutHistogram });
  const finer = FINER[resolution];
  if (finer === undefined) return rows;
  const newest = await db.stats.latest(resolution);
  const tailFrom = Math.max(from, newest === undefined ? from : newest.getTime() + RESOLUTION_MS[resolution]);
  if (tailFrom >= to) return rows;
  return [...rows, ...(await rowsWithTail(db, finer, serviceName, instanceId, tailFrom, to, withoutHistogram))];
}

function toPoint(row: SampleRow): SeriesPoint {
  return {
    t: row.ts.getTime(),
    requests: row.totalRequests,
    failed: row.failedRequests,
    requestsPerSecond: row.throughputRps,
    errorRatio: row.totalRequests === 0 ? 0 : row.failedRequests / row.totalRequests,
    avgMs: row.avgResponseMs,
    p50Ms: row.p50Ms,
    p95Ms: row.p95Ms,
    p99Ms: row.p99Ms,
    activeConnections: row.activeConnections,
    healthyInstances: row.healthyInstances,
    unhealthyInstances: row.unhealthyInstances,
  };
}

export async function querySeries(
  db: Pick<Db, "stats">,
  query: { service: string; instanceId?: string | undefined; from: number; to: number; now: number },
): Promise<Series> {
  const plan = planSeries(query.from, query.to, query.now);
  const rows = await rowsWithTail(db, plan.resolution, query.service, query.instanceId ?? "", query.from, query.to);
  return { ...plan, from: query.from, to: query.to, points: rollUp(rows, plan.bucketMs, plan.resolution).map(toPoint) };
}

export interface InstanceThroughput extends SeriesPlan {
  instances: { id: string; points: { t: number; requestsPerSecond: number; errorRatio: number; p95Ms: number }[] }[];
}

/**
 * Throughput (and error ratio, p95) per instance of a service, bucketed like
 * querySeries. Reads no histograms (ten series of a day would be ~15,000 of
 * them): an instance's p95 here is the highest stored p95 of the bucket's
 * samples, an upper bound, and named so where it is shown.
 */
export async function queryInstanceSeries(
  db: Pick<Db, "stats">,
  query: { service: string; from: number; to: number; now: number },
): Promise<InstanceThroughput> {
  const plan = planSeries(query.from, query.to, query.now);
  const rows = await rowsWithTail(db, plan.resolution, query.service, "*", query.from, query.to, true);
  const buckets = new Map<string, { id: string; t: number; requests: number; failed: number; p95Ms: number }>();
  for (const row of rows) {
    const t = Math.floor(row.ts.getTime() / plan.bucketMs) * plan.bucketMs;
    const key = `${row.instanceId}\u0000${t}`;
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = { id: row.instanceId, t, requests: 0, failed: 0, p95Ms: 0 };
      buckets.set(key, bucket);
    }
    bucket.requests += row.totalRequests;
    bucket.failed += row.failedRequests;
    bucket.p95Ms = Math.max(bucket.p95Ms, row.p95Ms);
  }
  const byInstance = new Map<string, InstanceThroughput["instances"][number]>();
  for (const b of buckets.values()) {
    let entry = byInstance.get(b.id);
    if (entry === undefined) {
      entry = { id: b.id, points: [] };
      byInstance.set(b.id, entry);
    }
    entry.points.push({
      t: b.t,
      requestsPerSecond: b.requests / (plan.bucketMs / 1000),
      errorRatio: b.requests === 0 ? 0 : b.failed / b.requests,
      p95Ms: b.p95Ms,
    });
  }
  for (const entry of byInstance.values()) entry.points.sort((a, c) => a.t - c.t);
  return { ...plan, instances: [...byInstance.values()].sort((a, b) => a.id.localeCompare(b.id)) };
}
