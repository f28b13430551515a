import { describe, expect, it } from "vitest";
import type { SampleRow } from "../db";
import { LatencyHistogram } from "../engine";
import { mergeSamples, rollUp } from "./rollup";
import { planSeries } from "./series";

function row(ts: number, latenciesUs: number[], extra: Partial<SampleRow> = {}): SampleRow {
  const h = new LatencyHistogram();
  for (const l of latenciesUs) h.record(l);
  return {
    ts: new Date(ts),
    resolution: "raw",
    serviceName: "orders",
    instanceId: "",
    intervalMs: 5_000,
    algorithm: "round_robin",
    totalRequests: latenciesUs.length,
    failedRequests: 0,
    failed5xx: 0,
    failedConnect: 0,
    failedTimeout: 0,
    clientAborts: 0,
    status4xx: 0,
    activeConnections: 0,
    healthyInstances: 3,
    unhealthyInstances: 0,
    avgResponseMs: 0,
    p50Ms: 0,
    p95Ms: 0,
    p99Ms: 0,
    maxMs: 0,
    throughputRps: latenciesUs.length / 5,
    histogram: h.count === 0 ? null : h.toBytes(),
    ...extra,
  };
}

describe("mergeSamples", () => {
  it("adds counts, takes percentiles from the merged histogram, and rates over the bucket", () => {
    // 95 fast requests in one sample, 5 slow ones in another: averaging the two samples' p95 would say ~50 ms.
    const fast = row(0, Array.from({ length: 95 }, () => 1_000), { failedRequests: 1, failed5xx: 1, activeConnections: 2, healthyInstances: 3 });
    const slow = row(5_000, Array.from({ length: 5 }, () => 100_000), { failedRequests: 2, failedTimeout: 2, activeConnections: 4, healthyInstances: 1, unhealthyInstances: 2 });
    const merged = mergeSamples([fast, slow], 0, 60_000, "1m");
    expect(merged).toMatchObject({
      ts: new Date(0),
      resolution: "1m",
      intervalMs: 60_000,
      totalRequests: 100,
      failedRequests: 3,
      failed5xx: 1,
      failedTimeout: 2,
      activeConnections: 3,
      healthyInstances: 1,
      unhealthyInstances: 2,
    });
    expect(merged.throughputRps).toBeCloseTo(100 / 60, 10);
    expect(merged.p50Ms).toBeCloseTo(1, 1);
    expect(merged.p95Ms).toBeCloseTo(1, 1); // the 95th of 100 is still a fast one
    expect(merged.p99Ms).toBeGreaterThan(95);
    expect(merged.p99Ms).toBeLessThan(105);
    expect(merged.maxMs).toBeCloseTo(100, 0);
    expect(merged.avgResponseMs).toBeCloseTo((95 * 1 + 5 * 100) / 100, 1);
    expect(LatencyHistogram.fromBytes(merged.histogram!).count).toBe(100);
  });

  it("keeps an empty bucket empty", () => {
    const merged = mergeSamples([row(0, []), row(5_000, [])], 0, 60_000, "1m");
    expect(merged.totalRequests).toBe(0);
    expect(merged.histogram).toBeNull();
    expect(merged.p99Ms).toBe(0);
  });
});

describe("rollUp", () => {
  it("groups by bucket and series", () => {
    const rows = [
      row(0, [1_000]),
      row(55_000, [2_000]),
      row(60_000, [3_000]),
      row(0, [4_000], { instanceId: "o-1" }),
      row(10_000, [5_000], { serviceName: "billing" }),
    ];
    const out = rollUp(rows, 60_000, "1m");
    expect(out.map((r) => [r.ts.getTime(), r.serviceName, r.instanceId, r.totalRequests])).toEqual([
      [0, "billing", "", 1],
      [0, "orders", "", 2],
      [0, "orders", "o-1", 1],
      [60_000, "orders", "", 1],
    ]);
  });
});

describe("planSeries", () => {
  const now = Date.UTC(2026, 10, 25, 12);
  const H = 3_600_000;
  it.each([
    ["5 minutes", now - 5 * 60_000, now, "raw", 5_000],
    ["1 hour", now - H, now, "raw", 15_000],
    ["24 hours", now - 24 * H, now, "1m", 300_000],
    ["7 days", now - 7 * 24 * H, now, "1h", 3_600_000],
    ["90 days", now - 90 * 24 * H, now, "1h", 28_800_000],
    ["30 minutes two days ago (raw expired)", now - 48 * H, now - 47.5 * H, "1m", 60_000],
    ["1 hour ten days ago (1m expired)", now - 240 * H, now - 239 * H, "1h", 3_600_000],
  ] as const)("%s → %s in buckets of %d ms", (_label, from, to, resolution, bucketMs) => {
    const plan = planSeries(from, to, now);
    expect(plan).toEqual({ resolution, bucketMs });
    expect((to - from) / plan.bucketMs).toBeLessThanOrEqual(300);
  });

  it("rejects an empty range", () => {
    expect(() => planSeries(now, now, now)).toThrow(RangeError);
  });
});
