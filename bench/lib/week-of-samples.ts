/**
 * Synthetic stat samples for the chart-query benchmark (bench/chart-queries.ts):
 * raw 5-second samples of one service and its instances, as the recorder
 * writes them (a service row, instanceId "", plus one row per instance per
 * interval), generated one hour at a time so a week never sits in memory.
 *
 * The traffic is made to look like a real week: a day/night cycle with a
 * weekend dip, per-instance weights, ±15 % noise, and a daily incident hour on
 * one instance (latency ×4, 10 % errors, counted unhealthy). Latency
 * histograms are real LatencyHistogram encodings, built cheaply: a pool of
 * histograms (one per request-count class × latency level × variant, each
 * filled with as many log-normal values as its count) is made once, and each
 * sample takes the pool entry matching its count and latency, so
 * totalRequests always equals the histogram's count. The service row merges
 * its instances' histograms, as the recorder does. Deterministic (seeded).
 */
import { LatencyHistogram } from "../../server/engine";
import type { SampleRow } from "../../server/db";

export const RAW_INTERVAL_MS = 5_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const COUNT_CLASSES = 24; // counts 20, 40, ... 480 per 5 s (4 .. 96 req/s per instance)
const COUNT_STEP = 20;
const LATENCY_LEVELS = 24; // medians 4 ms × 1.15^level (4 .. 100 ms)
const VARIANTS = 4;
const INCIDENT_INSTANCE = 7;
const INCIDENT_HOUR_UTC = 14;

/** mulberry32 (Tommy Ettinger): a tiny seeded PRNG, enough for synthetic data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A sample's latency columns (ms) from its histogram, as server/stats computes them. */
function latencyFieldsOf(histogram: LatencyHistogram): Pick<SampleRow, "avgResponseMs" | "p50Ms" | "p95Ms" | "p99Ms" | "maxMs"> {
  const s = histogram.summary();
  return { avgResponseMs: s.avgUs / 1000, p50Ms: s.p50Us / 1000, p95Ms: s.p95Us / 1000, p99Ms: s.p99Us / 1000, maxMs: s.maxUs / 1000 };
}

interface PoolEntry {
  readonly histogram: LatencyHistogram;
  readonly bytes: Uint8Array;
  readonly fields: ReturnType<typeof latencyFieldsOf>;
}

function buildPool(random: () => number): PoolEntry[] {
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const pool: PoolEntry[] = [];
  for (let c = 0; c < COUNT_CLASSES; c++) {
    for (let l = 0; l < LATENCY_LEVELS; l++) {
      const medianUs = 4_000 * 1.15 ** l;
      for (let v = 0; v < VARIANTS; v++) {
        const histogram = new LatencyHistogram();
        const count = COUNT_STEP * (c + 1);
        for (let k = 0; k < count; k++) histogram.record(medianUs * Math.exp(0.45 * gaussian()));
        pool.push({ histogram, bytes: histogram.toBytes(), fields: latencyFieldsOf(histogram) });
      }
    }
  }
  return pool;
}

export interface WeekOfSamples {
  readonly serviceName: string;
  readonly instanceIds: readonly string[];
  /** Raw samples of [hourStart, hourStart + 1 h) that start in [from, to), sorted by ts. */
  rawHour(hourStart: number, from: number, to: number): SampleRow[];
}

export function weekOfSamples(serviceName: string, instanceCount: number, seed = 20_261_125): WeekOfSamples {
  const random = mulberry32(seed);
  const pool = buildPool(random);
  const instanceIds = Array.from({ length: instanceCount }, (_, i) => `bench-${String(i + 1).padStart(2, "0")}`);
  const weights = instanceIds.map((_, i) => 1 + (i % 3) * 0.5);
  const slowness = instanceIds.map((_, i) => 1 + 0.08 * i);

  const entry = (count: number, medianUs: number): PoolEntry => {
    const c = Math.min(COUNT_CLASSES - 1, Math.max(0, Math.round(count / COUNT_STEP) - 1));
    const l = Math.min(LATENCY_LEVELS - 1, Math.max(0, Math.round(Math.log(medianUs / 4_000) / Math.log(1.15))));
    const v = Math.floor(random() * VARIANTS);
    const found = pool[(c * LATENCY_LEVELS + l) * VARIANTS + v];
    if (found === undefined) throw new RangeError(`no pool entry for class ${c}, level ${l}`);
    return found;
  };

  const base = (ts: number, row: Omit<SampleRow, "ts" | "resolution" | "serviceName" | "intervalMs" | "algorithm">): SampleRow => ({
    ts: new Date(ts),
    resolution: "raw",
    serviceName,
    intervalMs: RAW_INTERVAL_MS,
    algorithm: "round_robin",
    ...row,
  });

  function interval(ts: number): SampleRow[] {
    const dayFraction = (ts % DAY_MS) / DAY_MS;
    const weekday = new Date(ts).getUTCDay();
    const weekend = weekday === 0 || weekday === 6 ? 0.6 : 1;
    const load = weekend * (0.55 + 0.45 * Math.sin(2 * Math.PI * (dayFraction - 0.3)));
    const incident = new Date(ts).getUTCHours() === INCIDENT_HOUR_UTC;
    const rows: SampleRow[] = [];
    const service = new LatencyHistogram();
    let totalRequests = 0;
    let failedRequests = 0;
    let failed5xx = 0;
    let failedConnect = 0;
    let status4xx = 0;
    let active = 0;
    for (let i = 0; i < instanceIds.length; i++) {
      const troubled = incident && i === INCIDENT_INSTANCE;
      const noise = 0.85 + 0.3 * random();
      const count = 40 + 260 * load * (weights[i] ?? 1) * noise;
      const medianUs = 6_000 * (slowness[i] ?? 1) * (1 + 0.8 * load) * (0.9 + 0.2 * random()) * (troubled ? 4 : 1);
      const picked = entry(count, medianUs);
      const requests = picked.histogram.count;
      const failed = Math.floor(requests * (troubled ? 0.1 : 0.002 * random() * 2));
      const connect = troubled ? Math.floor(failed / 3) : 0;
      const clientErrors = Math.floor(requests * 0.01 * random());
      const activeConnections = Math.round((requests / (RAW_INTERVAL_MS / 1000)) * (picked.fields.avgResponseMs / 1000));
      rows.push(
        base(ts, {
          instanceId: instanceIds[i] ?? "",
          totalRequests: requests,
          failedRequests: failed,
          failed5xx: failed - connect,
          failedConnect: connect,
          failedTimeout: 0,
          clientAborts: 0,
          status4xx: clientErrors,
          activeConnections,
          healthyInstances: 0,
          unhealthyInstances: 0,
          ...picked.fields,
          throughputRps: requests / (RAW_INTERVAL_MS / 1000),
          histogram: picked.bytes,
        }),
      );
      service.merge(picked.histogram);
      totalRequests += requests;
      failedRequests += failed;
      failed5xx += failed - connect;
      failedConnect += connect;
      status4xx += clientErrors;
      active += activeConnections;
    }
    rows.unshift(
      base(ts, {
        instanceId: "",
        totalRequests,
        failedRequests,
        failed5xx,
        failedConnect,
        failedTimeout: 0,
        clientAborts: 0,
        status4xx,
        activeConnections: active,
        healthyInstances: incident ? instanceIds.length - 1 : instanceIds.length,
        unhealthyInstances: incident ? 1 : 0,
        ...latencyFieldsOf(service),
        throughputRps: totalRequests / (RAW_INTERVAL_MS / 1000),
        histogram: service.toBytes(),
      }),
    );
    return rows;
  }

  return {
    serviceName,
    instanceIds,
    rawHour(hourStart, from, to) {
      const rows: SampleRow[] = [];
      const first = Math.max(hourStart, Math.ceil(from / RAW_INTERVAL_MS) * RAW_INTERVAL_MS);
      const end = Math.min(hourStart + HOUR_MS, to);
      for (let ts = first; ts < end; ts += RAW_INTERVAL_MS) rows.push(...interval(ts));
      return rows;
    },
  };
}
