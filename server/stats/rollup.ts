/**
 * Merging samples: the arithmetic shared by roll-ups (raw → 1m → 1h) and by
 * series queries that bucket rows for a chart.
 *
 * Counts add up. Latency comes from the merged histograms, so a roll-up's
 * p50/p95/p99 are the percentiles of every request in the bucket (to the
 * histogram's ~1 % precision), never an average of percentiles. Active
 * connections are the mean of the merged samples' gauges; healthy instances
 * the minimum and unhealthy the maximum seen in the bucket (a dip shows).
 * Throughput is requests over the bucket's length.
 */
import { LatencyHistogram } from "../engine";
import type { Resolution, SampleRow } from "../db";

export const RESOLUTION_MS: Record<Resolution, number> = { raw: 5_000, "1m": 60_000, "1h": 3_600_000 };

export function bucketStart(ts: number, bucketMs: number): number {
  return Math.floor(ts / bucketMs) * bucketMs;
}

export function histogramOf(row: SampleRow): LatencyHistogram {
  return row.histogram === null || row.histogram.length === 0 ? new LatencyHistogram() : LatencyHistogram.fromBytes(row.histogram);
}

/** Latency fields of a sample, in milliseconds, from a histogram. */
export function latencyFields(histogram: LatencyHistogram): Pick<SampleRow, "avgResponseMs" | "p50Ms" | "p95Ms" | "p99Ms" | "maxMs"> {
  const s = histogram.summary();
  return { avgResponseMs: s.avgUs / 1000, p50Ms: s.p50Us / 1000, p95Ms: s.p95Us / 1000, p99Ms: s.p99Us / 1000, maxMs: s.maxUs / 1000 };
}

/**
 * Merges rows of one series (same service and instance) into one row that
 * starts at `ts` and lasts `intervalMs`. `rows` must not be empty.
 */
export function mergeSamples(rows: readonly SampleRow[], ts: number, intervalMs: number, resolution: Resolution): SampleRow {
  const first = rows[0];
  if (first === undefined) throw new RangeError("mergeSamples needs at least one row");
  const histogram = new LatencyHistogram();
  let totalRequests = 0;
  let failedRequests = 0;
  let failed5xx = 0;
  let failedConnect = 0;
  let failedTimeout = 0;
  let clientAborts = 0;
  let status4xx = 0;
  let activeSum = 0;
  let healthy = Number.POSITIVE_INFINITY;
  let unhealthy = 0;
  for (const row of rows) {
    totalRequests += row.totalRequests;
    failedRequests += row.failedRequests;
    failed5xx += row.failed5xx;
    failedConnect += row.failedConnect;
    failedTimeout += row.failedTimeout;
    clientAborts += row.clientAborts;
    status4xx += row.status4xx;
    activeSum += row.activeConnections;
    healthy = Math.min(healthy, row.healthyInstances);
    unhealthy = Math.max(unhealthy, row.unhealthyInstances);
    if (row.histogram !== null && row.histogram.length > 0) histogram.merge(histogramOf(row));
  }
  const last = rows[rows.length - 1] ?? first;
  return {
    ts: new Date(ts),
    resolution,
    serviceName: first.serviceName,
    instanceId: first.instanceId,
    intervalMs,
    algorithm: last.algorithm,
    totalRequests,
    failedRequests,
    failed5xx,
    failedConnect,
    failedTimeout,
    clientAborts,
    status4xx,
    activeConnections: activeSum / rows.length,
    healthyInstances: healthy,
    unhealthyInstances: unhealthy,
    ...latencyFields(histogram),
    throughputRps: totalRequests / (intervalMs / 1000),
    histogram: histogram.count === 0 ? null : histogram.toBytes(),
  };
}

/** Groups rows by series and by bucket, and merges each group. Output sorted by ts, then series. */
export function rollUp(rows: readonly SampleRow[], bucketMs: number, resolution: Resolution): SampleRow[] {
  const groups = new Map<string, SampleRow[]>();
  for (const row of rows) {
    const start = bucketStart(row.ts.getTime(), bucketMs);
    const key = `${start}\u0000${row.serviceName}\u0000${row.instanceId}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = [];
      groups.set(key, group);
    }
    group.push(row);
  }
  const out: SampleRow[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    if (first !== undefined) out.push(mergeSamples(group, bucketStart(first.ts.getTime(), bucketMs), bucketMs, resolution));
  }
  return out.sort(
    (a, b) => a.ts.getTime() - b.ts.getTime() || a.serviceName.localeCompare(b.serviceName) || a.instanceId.localeCompare(b.instanceId),
  );
}
