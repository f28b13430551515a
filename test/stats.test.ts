/**
 * Stats recording against the embedded database and PostgreSQL: exact counts
 * under concurrent load through the real proxy, buffering while the database
 * is unreachable (and flushing after), overflow reported as an event,
 * roll-ups and retention, and series that pick the right resolution.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db, type SampleRow } from "../server/db";
import { DEFAULT_BREAKER, DEFAULT_HEALTH, LatencyHistogram, createEngine, instanceId, seededRng, serviceName, type Engine } from "../server/engine";
import { createProxyServer, type ProxyServer } from "../server/proxy";
import { createStatsRecorder, querySeries, queryInstanceSeries, runMaintenance } from "../server/stats";
import { startBackend, type Backend } from "./support/backends";
import { createTestDatabase, externalUrl, type TestDatabase } from "./support/external";
import { startTcpRelay, type TcpRelay } from "./support/tcp-relay";

const pgUrl = externalUrl("DATABASE_URL");
const clock = { now: () => performance.now() };

interface Target {
  name: string;
  /** A database reached through a relay the test can cut. */
  open(): Promise<{ db: Db; relay: TcpRelay; cleanup: () => Promise<void> }>;
}

const targets: Target[] = [
  {
    name: "embedded PGlite",
    async open() {
      // The embedded database runs in its own worker; reach it through the relay like an external server.
      const dataDir = mkdtempSync(path.join(os.tmpdir(), "alicia-stats-"));
      const { startEmbeddedDatabase } = await import("../server/db/embedded");
      const embedded = await startEmbeddedDatabase(dataDir);
      const url = new URL(embedded.url);
      const relay = await startTcpRelay("127.0.0.1", Number(url.port));
      url.port = String(relay.port);
      const db = await createDb({ kind: "postgres", url: url.toString() });
      return {
        db,
        relay,
        cleanup: async () => {
          await db.close();
          await relay.close();
          await embedded.stop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
  ...(pgUrl
    ? [
        {
          name: "PostgreSQL",
          async open() {
            const database: TestDatabase = await createTestDatabase(pgUrl);
            const url = new URL(database.url);
            const relay = await startTcpRelay(url.hostname, Number(url.port || 5432));
            url.hostname = "127.0.0.1";
            url.port = String(relay.port);
            const db = await createDb({ kind: "postgres", url: url.toString() });
            return {
              db,
              relay,
              cleanup: async () => {
                await db.close();
                await relay.close();
                await database.drop();
              },
            };
          },
        },
      ]
    : []),
];

function sample(ts: number, resolution: SampleRow["resolution"], instance: string, requests: number, latencyUs = 2_000): SampleRow {
  const h = new LatencyHistogram();
  for (let i = 0; i < requests; i++) h.record(latencyUs);
  const intervalMs = resolution === "raw" ? 5_000 : resolution === "1m" ? 60_000 : 3_600_000;
  return {
    ts: new Date(ts),
    resolution,
    serviceName: "series",
    instanceId: instance,
    intervalMs,
    algorithm: "round_robin",
    totalRequests: requests,
    failedRequests: 0,
    failed5xx: 0,
    failedConnect: 0,
    failedTimeout: 0,
    clientAborts: 0,
    status4xx: 0,
    activeConnections: 1,
    healthyInstances: 2,
    unhealthyInstances: 0,
    avgResponseMs: latencyUs / 1000,
    p50Ms: latencyUs / 1000,
    p95Ms: latencyUs / 1000,
    p99Ms: latencyUs / 1000,
    maxMs: latencyUs / 1000,
    throughputRps: requests / (intervalMs / 1000),
    histogram: h.count === 0 ? null : h.toBytes(),
  };
}

describe.each(targets)("stats on $name", (target) => {
  let db: Db;
  let relay: TcpRelay;
  let cleanup: () => Promise<void>;
  let engine: Engine;
  let proxy: ProxyServer;
  let proxyUrl: string;
  let ok: Backend;
  let failing: Backend;

  beforeAll(async () => {
    ({ db, relay, cleanup } = await target.open());
    engine = createEngine({ clock, rng: seededRng(11) });
    ok = await startBackend("ok-1");
    failing = await startBackend("bad-1");
    let n = 0;
    failing.behaviour = (_req, res) => {
      n++;
      res.writeHead(n % 2 === 0 ? 500 : 200, { "content-length": "0" });
      res.end();
    };
    const name = serviceName("orders");
    engine.upsertService({ name, algorithm: "round_robin", maxConnectionsPerInstance: 1_000, breaker: { ...DEFAULT_BREAKER, failureThreshold: 1_000_000 }, health: DEFAULT_HEALTH, requestTimeoutMs: 30_000 });
    for (const b of [ok, failing]) engine.upsertInstance(name, { id: instanceId(b.id), host: "127.0.0.1", port: b.port, weight: 1, enabled: true, draining: false });
    proxy = createProxyServer({ engine, clock });
    proxyUrl = `http://127.0.0.1:${(await proxy.listen(0, "127.0.0.1")).port}`;
  });
  afterAll(async () => {
    await proxy.drain(500);
    await ok.close();
    await failing.close();
    await cleanup();
  });

  it("stores exact per-instance counts under concurrent load, failures as the clients saw them", async () => {
    const recorder = createStatsRecorder({ engine, db, intervalMs: 500, tickMs: 100 });
    recorder.start();
    const total = 1_200;
    let sent = 0;
    let clientFailures = 0;
    const perInstance = new Map<string, number>();
    await Promise.all(
      Array.from({ length: 24 }, async () => {
        while (sent < total) {
          sent++;
          const res = await fetch(`${proxyUrl}/orders/x`);
          await res.arrayBuffer();
          if (res.status >= 500) clientFailures++;
          const id = res.headers.get("x-instance-id") ?? "?";
          perInstance.set(id, (perInstance.get(id) ?? 0) + 1);
        }
      }),
    );
    await recorder.stop();
    expect(recorder.counts()).toMatchObject({ buffered: 0, dropped: 0 });
    const from = new Date(Date.now() - 3_600_000);
    const to = new Date(Date.now() + 60_000);
    const instanceRows = await db.stats.range({ resolution: "raw", serviceName: "orders", instanceId: "*", from, to });
    const sum = (rows: SampleRow[], f: (r: SampleRow) => number) => rows.reduce((a, r) => a + f(r), 0);
    expect(sum(instanceRows, (r) => r.totalRequests)).toBe(total);
    expect(sum(instanceRows.filter((r) => r.instanceId === "ok-1"), (r) => r.totalRequests)).toBe(perInstance.get("ok-1"));
    expect(sum(instanceRows.filter((r) => r.instanceId === "bad-1"), (r) => r.totalRequests)).toBe(perInstance.get("bad-1"));
    expect(sum(instanceRows, (r) => r.failedRequests)).toBe(clientFailures);
    expect(sum(instanceRows, (r) => r.failed5xx)).toBe(clientFailures);
    const serviceRows = await db.stats.range({ resolution: "raw", serviceName: "orders", instanceId: "", from, to });
    expect(sum(serviceRows, (r) => r.totalRequests)).toBe(total);
    expect(serviceRows.every((r) => r.healthyInstances + r.unhealthyInstances <= 2)).toBe(true);
    const histogramCount = sum(serviceRows, (r) => (r.histogram ? LatencyHistogram.fromBytes(r.histogram).count : 0));
    expect(histogramCount).toBe(total);
  });

  it("buffers samples while the database is unreachable, never slowing the proxy, and writes them after", async () => {
    const errors: unknown[] = [];
    const recorder = createStatsRecorder({ engine, db, intervalMs: 200, tickMs: 100, onFlushError: (e) => errors.push(e) });
    recorder.start();
    const before = await db.stats.range({ resolution: "raw", serviceName: "orders", instanceId: "ok-1", from: new Date(0), to: new Date(Date.now() + 60_000) });
    await relay.cut();
    let served = 0;
    const deadline = Date.now() + 1_500;
    while (Date.now() < deadline) {
      const res = await fetch(`${proxyUrl}/orders/x`);
      await res.arrayBuffer();
      if (res.headers.get("x-instance-id") === "ok-1") served++;
    }
    expect(served).toBeGreaterThan(50); // the proxy kept answering while the database was down
    expect(errors.length).toBeGreaterThan(0);
    expect(recorder.counts().buffered).toBeGreaterThan(0);
    await relay.restore();
    await recorder.stop(15_000);
    expect(recorder.counts()).toMatchObject({ buffered: 0, dropped: 0 });
    const after = await db.stats.range({ resolution: "raw", serviceName: "orders", instanceId: "ok-1", from: new Date(0), to: new Date(Date.now() + 60_000) });
    const count = (rows: SampleRow[]) => rows.reduce((a, r) => a + r.totalRequests, 0);
    expect(count(after) - count(before)).toBe(served);
  });

  it("drops the oldest samples past its buffer limit, and says so with a stats_dropped event", async () => {
    const events: { count: number }[] = [];
    const dispose = engine.on("stats_dropped", (e) => events.push(e));
    const recorder = createStatsRecorder({ engine, db, intervalMs: 100, tickMs: 100, maxBufferedRows: 6 });
    await relay.cut();
    try {
      for (let i = 0; i < 8; i++) {
        recorder.tick();
        await new Promise((r) => setTimeout(r, 110));
      }
      expect(recorder.counts().buffered).toBeLessThanOrEqual(6);
      expect(recorder.counts().dropped).toBeGreaterThan(0);
      expect(events.reduce((a, e) => a + e.count, 0)).toBe(recorder.counts().dropped);
    } finally {
      await relay.restore();
      await recorder.stop(10_000);
      dispose();
    }
  });

  it("rolls raw samples up into minutes and hours, and retention deletes only what it should", async () => {
    const now = Date.UTC(2026, 10, 20, 12, 0, 0); // before the rows the other tests record at the real time
    const minute = 60_000;
    const rows: SampleRow[] = [];
    // Two hours of raw samples for one instance, 3 requests each.
    for (let t = now - 2 * 3_600_000; t < now; t += 5_000) rows.push(sample(t, "raw", "s-1", 3));
    await db.stats.insert(rows);
    const first = await runMaintenance(db, now, { rawMs: 3_600_000, minuteMs: 7 * 86_400_000, hourMs: 90 * 86_400_000 });
    // Complete minutes only, with a 10 s grace: the minute that started 1 min ago is complete, the current one is not.
    expect(first.rolledUp["1m"]).toBe(119);
    expect(first.rolledUp["1h"]).toBe(1);
    expect(first.deleted.raw).toBe(720); // the older hour
    const minutes = await db.stats.range({ resolution: "1m", serviceName: "series", instanceId: "s-1", from: new Date(0), to: new Date(now) });
    expect(minutes).toHaveLength(119);
    expect(minutes.every((m) => m.totalRequests === 36 && m.intervalMs === minute)).toBe(true);
    expect(minutes[0]!.throughputRps).toBeCloseTo(36 / 60, 10);
    const hours = await db.stats.range({ resolution: "1h", serviceName: "series", instanceId: "s-1", from: new Date(0), to: new Date(now) });
    expect(hours).toHaveLength(1);
    expect(hours[0]!.totalRequests).toBe(720 * 3);
    // Idempotent: a second run adds nothing and deletes nothing new.
    const second = await runMaintenance(db, now, { rawMs: 3_600_000, minuteMs: 7 * 86_400_000, hourMs: 90 * 86_400_000 });
    expect(second).toEqual({ rolledUp: { "1m": 0, "1h": 0 }, deleted: { raw: 0, "1m": 0, "1h": 0 } });
    const raw = await db.stats.range({ resolution: "raw", serviceName: "series", instanceId: "s-1", from: new Date(0), to: new Date(now + minute) });
    expect(raw).toHaveLength(720);
    expect(raw[0]!.ts.getTime()).toBe(now - 3_600_000);
  });

  it("answers series from the right resolution, reaching the present through the finer tail", async () => {
    const now = Date.UTC(2026, 10, 20, 12, 0, 0); // before the rows the other tests record at the real time
    // From the previous test: 1m rows up to 11:58, raw rows for the last hour (3 requests / 5 s).
    const fiveMinutes = await querySeries(db, { service: "series", instanceId: "s-1", from: now - 5 * 60_000, to: now, now });
    expect(fiveMinutes).toMatchObject({ resolution: "raw", bucketMs: 5_000 });
    expect(fiveMinutes.points).toHaveLength(60);
    expect(fiveMinutes.points.every((p) => p.requests === 3 && Math.abs(p.requestsPerSecond - 0.6) < 1e-9)).toBe(true);

    const day = await querySeries(db, { service: "series", instanceId: "s-1", from: now - 86_400_000, to: now, now });
    expect(day).toMatchObject({ resolution: "1m", bucketMs: 300_000 });
    expect(day.points).toHaveLength(24); // two hours of data in 5-minute buckets
    expect(day.points.at(-1)!.t).toBe(now - 300_000); // the tail (not rolled up yet) is included
    expect(day.points.reduce((a, p) => a + p.requests, 0)).toBe(1_440 * 3);
    expect(day.points[0]!.p95Ms).toBeCloseTo(2, 1);

    const byInstance = await queryInstanceSeries(db, { service: "series", from: now - 3_600_000, to: now, now });
    expect(byInstance.instances.map((i) => i.id)).toEqual(["s-1"]);
    expect(byInstance.instances[0]!.points).toHaveLength(240);
  });
});
