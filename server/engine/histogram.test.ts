import { describe, expect, it } from "vitest";
import { HISTOGRAM_LENGTH, HISTOGRAM_MAX_US, LatencyHistogram, mergeHistograms } from "./histogram";

function within(actual: number, expected: number, ratio: number): void {
  expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(ratio);
}

describe("LatencyHistogram (HdrHistogram-style, ~2 significant digits)", () => {
  it("counts values below 128 µs exactly", () => {
    const h = new LatencyHistogram();
    for (const v of [0, 1, 2, 3, 100, 127]) h.record(v);
    expect([17, 33, 50, 67, 83, 100].map((p) => h.valueAtPercentile(p))).toEqual([0, 1, 2, 3, 100, 127]);
  });

  it("reports percentiles within 1 % on a uniform 1..100,000 µs data set", () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 100_000; v++) h.record(v);
    const s = h.summary();
    expect(s.count).toBe(100_000);
    expect(s.avgUs).toBe(50_000.5);
    expect(s.maxUs).toBe(100_000);
    within(s.p50Us, 50_000, 0.01);
    within(s.p95Us, 95_000, 0.01);
    within(s.p99Us, 99_000, 0.01);
  });

  it("reports percentiles within 1 % on a skewed data set spanning 1 ms .. 60 s", () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 0; i < 10_000; i++) values.push(Math.round(1_000 * Math.pow(60_000, i / 9_999)));
    for (const v of values) h.record(v);
    for (const p of [50, 90, 99, 99.9]) within(h.valueAtPercentile(p), values[Math.round((p / 100) * 10_000) - 1]!, 0.01);
  });

  it("clamps values over 60 s into the top bucket and keeps the exact max", () => {
    const h = new LatencyHistogram();
    h.record(HISTOGRAM_MAX_US * 3);
    expect(h.maxUs).toBe(HISTOGRAM_MAX_US * 3);
    expect(h.countAt(HISTOGRAM_LENGTH - 1)).toBe(1);
  });

  it("rejects negative and non-finite values", () => {
    const h = new LatencyHistogram();
    expect(() => {
      h.record(-1);
    }).toThrow(RangeError);
    expect(() => {
      h.record(Number.NaN);
    }).toThrow(RangeError);
  });

  it("merges to the same counts as recording everything into one", () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (let v = 1; v < 5_000; v += 7) {
      (v % 2 === 0 ? a : b).record(v * 13);
      all.record(v * 13);
    }
    const merged = mergeHistograms([a, b]);
    expect(Array.from(merged.toDenseCounts())).toEqual(Array.from(all.toDenseCounts()));
    expect(merged.summary()).toEqual(all.summary());
  });

  it("round-trips through number[] and bytes, and resets to empty", () => {
    const h = new LatencyHistogram();
    for (const v of [5, 5, 900, 12_345, 7_000_000]) h.record(v);
    const fromArray = LatencyHistogram.decode(h.encode());
    const bytes = h.toBytes();
    const fromBytes = LatencyHistogram.fromBytes(bytes);
    for (const copy of [fromArray, fromBytes]) {
      expect(Array.from(copy.toDenseCounts())).toEqual(Array.from(h.toDenseCounts()));
      expect(copy.summary()).toEqual(h.summary());
    }
    expect(bytes.length).toBeLessThan(40);
    h.reset();
    expect(h.summary()).toEqual({ count: 0, avgUs: 0, p50Us: 0, p95Us: 0, p99Us: 0, maxUs: 0 });
    expect(Array.from({ length: HISTOGRAM_LENGTH }, (_, i) => h.countAt(i)).every((c) => c === 0)).toBe(true);
    expect(h.encode()).toEqual([]);
  });

  it("rejects a corrupt encoding", () => {
    expect(() => LatencyHistogram.decode([2, 0, 0, 0])).toThrow(RangeError);
    expect(() => LatencyHistogram.decode([1, 0, 0, 0, HISTOGRAM_LENGTH, 1])).toThrow(RangeError);
  });
});
