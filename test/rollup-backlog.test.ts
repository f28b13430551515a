/**
 * A long backlog of raw samples (the database was down for hours, the
 * recorder kept them) is rolled up in bounded steps without losing a minute:
 * an hour is rolled up only once all of its minutes are.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db, type SampleRow } from "../server/db";
import { runMaintenance } from "../server/stats";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "alicia-backlog-"));
let db: Db;
beforeAll(async () => {
  db = await createDb({ kind: "embedded", dataDir });
});
afterAll(async () => {
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const raw = (ts: number, requests: number): SampleRow => ({
  ts: new Date(ts),
  resolution: "raw",
  serviceName: "backlog",
  instanceId: "",
  intervalMs: 5_000,
  algorithm: "round_robin",
  totalRequests: requests,
  failedRequests: 0,
  failed5xx: 0,
  failedConnect: 0,
  failedTimeout: 0,
  clientAborts: 0,
  status4xx: 0,
  activeConnections: 0,
  healthyInstances: 1,
  unhealthyInstances: 0,
  avgResponseMs: 0,
  p50Ms: 0,
  p95Ms: 0,
  p99Ms: 0,
  maxMs: 0,
  throughputRps: requests / 5,
  histogram: null,
});

describe("rolling up a backlog", () => {
  it("rolls 8 hours of raw samples into exact hours over several bounded runs", async () => {
    // Starts at 00:10, so the first run's six hours of minutes end in the middle of an hour.
    const hour0 = Date.UTC(2026, 10, 24, 0, 0, 0);
    const start = hour0 + 10 * 60_000;
    const rows: SampleRow[] = [];
    for (let t = start; t < start + 8 * 3_600_000; t += 5_000) rows.push(raw(t, 1 + ((t / 5_000) % 7)));
    for (let i = 0; i < rows.length; i += 2_000) await db.stats.insert(rows.slice(i, i + 2_000));
    const now = start + 8 * 3_600_000 + 5 * 60_000;
    const keep = { rawMs: 30 * 86_400_000, minuteMs: 30 * 86_400_000, hourMs: 90 * 86_400_000 };
    const first = await runMaintenance(db, now, keep, 360);
    expect(first.rolledUp["1m"]).toBe(360); // bounded: six hours of minutes
    expect(first.rolledUp["1h"]).toBe(6); // 00:00-05:00; 06:00 has only its first ten minutes rolled, so it waits
    for (let run = 0; run < 3; run++) await runMaintenance(db, now, keep, 360);
    const hours = await db.stats.range({ resolution: "1h", serviceName: "backlog", instanceId: "", from: new Date(hour0), to: new Date(now) });
    expect(hours).toHaveLength(8);
    for (const [i, hour] of hours.entries()) {
      const expected = rows.filter((r) => Math.floor((r.ts.getTime() - hour0) / 3_600_000) === i).reduce((a, r) => a + r.totalRequests, 0);
      expect(hour.totalRequests).toBe(expected);
    }
  });
});
