/**
 * The stats recorder: the one consumer of engine.drainStats().
 *
 * Every second (one timer for every service and instance) it drains the
 * engine's windows into
 *  - a live snapshot (per-second rates and latency) for the dashboard's live
 *    charts and a short in-memory history of it, and
 *  - the current recording interval (default 5 s, aligned to the wall clock),
 *    which at its end becomes one raw sample per service and per instance.
 * Samples go to a bounded buffer written in one batch per flush. While the
 * database is down or slow the buffer holds them (the proxy never waits: it
 * only touches the engine's in-memory windows) and they are written when it
 * answers again; past `maxBufferedRows` the oldest are dropped, counted, and
 * reported as a `stats_dropped` engine event. Nothing is lost silently.
 */
import { LatencyHistogram, type Engine, type ServiceWindowStats, type WindowStats } from "../engine";
import type { Db, SampleRow } from "../db";
import { BatchWriter } from "./batch-writer";
import { latencyFields } from "./rollup";

export interface LiveInstance {
  id: string;
  requestsPerSecond: number;
  errorRatio: number;
  p95Ms: number;
  activeConnections: number;
}

export interface LiveService {
  name: string;
  algorithm: string;
  requestsPerSecond: number;
  errorRatio: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  activeConnections: number;
  instances: LiveInstance[];
}

export interface LiveSnapshot {
  /** Wall-clock ms at the end of the second this describes. */
  at: number;
  services: LiveService[];
}

export interface StatsRecorderOptions {
  engine: Engine;
  db: Pick<Db, "stats">;
  /** Wall clock (ms). */
  now?: () => number;
  intervalMs?: number;
  tickMs?: number;
  maxBufferedRows?: number;
  /** Seconds of live snapshots kept for a chart's first paint. */
  liveHistorySeconds?: number;
  onFlushError?: (error: unknown) => void;
}

export interface StatsRecorder {
  start(): void;
  /** Ends the current interval, writes everything buffered (bounded by timeoutMs), stops. */
  stop(timeoutMs?: number): Promise<void>;
  /** Drains the engine now (tests; normally the timer does it). */
  tick(): void;
  /** Writes what is buffered; resolves false if the database refused. */
  flush(): Promise<boolean>;
  live(): LiveSnapshot | undefined;
  liveHistory(): readonly LiveSnapshot[];
  onLive(listener: (snapshot: LiveSnapshot) => void): () => void;
  /** Called with each interval's samples when the interval closes (e.g. to publish them). */
  onSamples(listener: (rows: readonly SampleRow[]) => void): () => void;
  /** Rows waiting to be written, rows dropped so far, rows written so far. */
  counts(): { buffered: number; dropped: number; written: number };
}

interface Accumulator {
  serviceName: string;
  instanceId: string;
  algorithm: string;
  requests: number;
  failed: number;
  failed5xx: number;
  failedConnect: number;
  failedTimeout: number;
  clientAborts: number;
  status4xx: number;
  activeSum: number;
  ticks: number;
  histogram: LatencyHistogram;
}

function emptyAccumulator(serviceName: string, instanceId: string, algorithm: string): Accumulator {
  return {
    serviceName,
    instanceId,
    algorithm,
    requests: 0,
    failed: 0,
    failed5xx: 0,
    failedConnect: 0,
    failedTimeout: 0,
    clientAborts: 0,
    status4xx: 0,
    activeSum: 0,
    ticks: 0,
    histogram: new LatencyHistogram(),
  };
}

function add(acc: Accumulator, w: WindowStats, algorithm: string): void {
  acc.algorithm = algorithm;
  acc.requests += w.requests;
  acc.failed += w.failed;
  acc.failed5xx += w.failed5xx;
  acc.failedConnect += w.failedConnect;
  acc.failedTimeout += w.failedTimeout;
  acc.clientAborts += w.clientAborts;
  acc.status4xx += w.status4xx;
  acc.activeSum += w.activeConnections;
  acc.ticks++;
  if (w.histogram.length > 0) acc.histogram.merge(LatencyHistogram.decode(w.histogram));
}

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

function liveOf(service: ServiceWindowStats, seconds: number): LiveService {
  return {
    name: service.name,
    algorithm: service.algorithm,
    requestsPerSecond: service.requests / seconds,
    errorRatio: ratio(service.failed, service.requests),
    avgMs: service.latency.avgUs / 1000,
    p50Ms: service.latency.p50Us / 1000,
    p95Ms: service.latency.p95Us / 1000,
    p99Ms: service.latency.p99Us / 1000,
    activeConnections: service.activeConnections,
    instances: service.instances.map((i) => ({
      id: i.id,
      requestsPerSecond: i.requests / seconds,
      errorRatio: ratio(i.failed, i.requests),
      p95Ms: i.latency.p95Us / 1000,
      activeConnections: i.activeConnections,
    })),
  };
}

export function createStatsRecorder(options: StatsRecorderOptions): StatsRecorder {
  const { engine, db } = options;
  const now = options.now ?? (() => Date.now());
  const intervalMs = options.intervalMs ?? 5_000;
  const tickMs = options.tickMs ?? 1_000;
  const maxBuffered = options.maxBufferedRows ?? 50_000;
  const historyLength = options.liveHistorySeconds ?? 300;
  if (!(intervalMs >= tickMs && tickMs > 0)) throw new RangeError(`intervalMs (${intervalMs}) must be >= tickMs (${tickMs}) > 0`);

  // The first interval starts now (not at the aligned boundary), so a process restarted within
  // an interval never writes a sample with the same start as its predecessor's last one
  // (samples are unique per series and start); the following ones are aligned.
  let intervalStart = now();
  const accumulators = new Map<string, Accumulator>();
  const writer = new BatchWriter<SampleRow>({
    write: (rows) => db.stats.insert(rows),
    maxBuffered,
    batchSize: 2_000,
    onDrop: (count, reason) => engine.reportStatsDropped(count, `stat samples: ${reason}`),
    onError: options.onFlushError,
  });
  let timer: NodeJS.Timeout | undefined;
  let live: LiveSnapshot | undefined;
  const history: LiveSnapshot[] = [];
  const listeners = new Set<(snapshot: LiveSnapshot) => void>();
  const sampleListeners = new Set<(rows: readonly SampleRow[]) => void>();

  const accumulate = (name: string, id: string, algorithm: string, w: WindowStats) => {
    const key = `${name}\u0000${id}`;
    let acc = accumulators.get(key);
    if (acc === undefined) {
      acc = emptyAccumulator(name, id, algorithm);
      accumulators.set(key, acc);
    }
    add(acc, w, algorithm);
  };

  const closeInterval = (start: number, end: number) => {
    const lengthMs = Math.max(end - start, 1);
    const rows: SampleRow[] = [];
    const health = new Map(
      engine.listServices().map((s) => [s.name as string, { healthy: s.healthyCount, unhealthy: s.instances.filter((i) => i.health === "unhealthy").length }]),
    );
    for (const acc of accumulators.values()) {
      const h = health.get(acc.serviceName);
      const isService = acc.instanceId === "";
      rows.push({
        ts: new Date(start),
        resolution: "raw",
        serviceName: acc.serviceName,
        instanceId: acc.instanceId,
        intervalMs: Math.round(lengthMs),
        algorithm: acc.algorithm,
        totalRequests: acc.requests,
        failedRequests: acc.failed,
        failed5xx: acc.failed5xx,
        failedConnect: acc.failedConnect,
        failedTimeout: acc.failedTimeout,
        clientAborts: acc.clientAborts,
        status4xx: acc.status4xx,
        activeConnections: acc.ticks === 0 ? 0 : acc.activeSum / acc.ticks,
        healthyInstances: isService ? (h?.healthy ?? 0) : 0,
        unhealthyInstances: isService ? (h?.unhealthy ?? 0) : 0,
        ...latencyFields(acc.histogram),
        throughputRps: acc.requests / (lengthMs / 1000),
        histogram: acc.histogram.count === 0 ? null : acc.histogram.toBytes(),
      });
    }
    accumulators.clear();
    writer.push(rows);
    for (const listener of sampleListeners) listener(rows);
  };

  const tick = () => {
    const t = now();
    const snapshot = engine.drainStats();
    const seconds = Math.max(snapshot.intervalMs, 1) / 1000;
    for (const service of snapshot.services) {
      accumulate(service.name, "", service.algorithm, service);
      for (const instance of service.instances) accumulate(service.name, instance.id, service.algorithm, instance);
    }
    live = { at: t, services: snapshot.services.map((s) => liveOf(s, seconds)) };
    history.push(live);
    if (history.length > historyLength) history.shift();
    for (const listener of listeners) listener(live);
    const currentStart = Math.floor(t / intervalMs) * intervalMs;
    if (currentStart > intervalStart) {
      closeInterval(intervalStart, currentStart);
      intervalStart = currentStart;
      void flush();
    }
  };

  const flush = () => writer.flush();

  return {
    start() {
      timer ??= setInterval(tick, tickMs);
      timer.unref();
    },
    async stop(timeoutMs = 5_000) {
      if (timer) clearInterval(timer);
      timer = undefined;
      tick();
      closeInterval(intervalStart, Math.max(now(), intervalStart + 1));
      await writer.drain(timeoutMs, "database unreachable at shutdown");
    },
    tick,
    flush,
    live: () => live,
    liveHistory: () => history,
    onLive(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    onSamples(listener) {
      sampleListeners.add(listener);
      return () => {
        sampleListeners.delete(listener);
      };
    },
    counts: () => writer.counts(),
  };
}
