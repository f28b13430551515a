import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "./histogram";
import { counts, instanceConfig, picks, setup } from "./test-support";
import { ALGORITHMS, instanceId, OUTCOMES, serviceName } from "./types";
import type { Lease } from "./engine";

const svc = serviceName("svc");

/** nginx's smooth WRR, the O(n) reference: add weights, take the first max, subtract W. */
function nginxReference(weights: readonly number[], n: number): number[] {
  const current = weights.map(() => 0);
  const total = weights.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  for (let step = 0; step < n; step++) {
    let best = -1;
    weights.forEach((w, i) => {
      if (w === 0) return;
      current[i] = (current[i] ?? 0) + w;
      if (best < 0 || (current[i] ?? 0) > (current[best] ?? 0)) best = i;
    });
    current[best] = (current[best] ?? 0) - total;
    out.push(best);
  }
  return out;
}

type Op =
  | { kind: "acquire"; key: number; exclude: number | undefined }
  | { kind: "release"; index: number; outcome: (typeof OUTCOMES)[number] }
  | { kind: "advance"; ms: number }
  | { kind: "check"; instance: number; passed: boolean }
  | { kind: "update"; instance: number; weight: number; enabled: boolean; draining: boolean }
  | { kind: "tick" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("acquire" as const), key: fc.nat(50), exclude: fc.option(fc.nat(7), { nil: undefined }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("release" as const), index: fc.nat(), outcome: fc.constantFrom(...OUTCOMES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 1, max: 90_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("check" as const), instance: fc.nat(7), passed: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("update" as const),
      instance: fc.nat(7),
      weight: fc.nat(4),
      enabled: fc.boolean(),
      draining: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("tick" as const) }) },
);

describe("properties", () => {
  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}: never picks an ineligible or excluded instance, and finds one whenever one exists`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 8 }), fc.array(opArb, { maxLength: 120 }), fc.nat(), (n, ops, seed) => {
          const ids = Array.from({ length: n }, (_, i) => `i${i}`);
          const f = setup(algorithm, ids, { maxConnectionsPerInstance: 3, breaker: { failureThreshold: 2, recoveryTimeoutMs: 30_000, maxRecoveryTimeoutMs: 120_000, successThreshold: 2, halfOpenMaxProbes: 1 } }, seed);
          const held: Lease[] = [];
          for (const op of ops) {
            switch (op.kind) {
              case "acquire": {
                const before = f.engine.getServiceSnapshot("svc")!;
                const exclude = op.exclude === undefined ? undefined : `i${op.exclude % n}`;
                const candidates = before.instances.filter((i) => i.eligible && i.id !== exclude).map((i) => i.id as string);
                const lease = f.engine.acquire(f.view, `key-${op.key}`, exclude === undefined ? undefined : instanceId(exclude));
                if (lease === undefined) expect(candidates).toEqual([]);
                else {
                  expect(candidates).toContain(lease.instanceId);
                  held.push(lease);
                }
                break;
              }
              case "release": {
                if (held.length === 0) break;
                const [lease] = held.splice(op.index % held.length, 1);
                f.engine.release(lease!, op.outcome, 1_000);
                break;
              }
              case "advance":
                f.clock.advance(op.ms);
                break;
              case "check":
                f.engine.recordHealthCheck(svc, instanceId(`i${op.instance % n}`), op.passed);
                break;
              case "update":
                f.engine.upsertInstance(svc, instanceConfig(`i${op.instance % n}`, { weight: op.weight, enabled: op.enabled, draining: op.draining }));
                break;
              case "tick":
                f.engine.tick();
                break;
            }
          }
          const snap = f.engine.getServiceSnapshot("svc")!;
          expect(snap.activeConnections).toBe(held.length);
          expect(snap.instances.reduce((s, i) => s + i.activeConnections, 0)).toBe(held.length);
        }),
        { numRuns: 150 },
      );
    });
  }

  it("weighted_round_robin equals nginx's O(n) reference pick for pick, with exact shares over every W-run", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 12 }), (weights) => {
        const total = weights.reduce((a, b) => a + b, 0);
        const f = setup("weighted_round_robin", weights.map((w, i) => [`i${i}`, w] as const));
        const seq = picks(f, 3 * total);
        expect(seq).toEqual(nginxReference(weights, 3 * total).map((i) => `i${i}`));
        for (let start = 0; start + total <= seq.length; start += Math.max(1, Math.floor(total / 3))) {
          const got = counts(seq.slice(start, start + total));
          weights.forEach((w, i) => {
            expect(got[`i${i}`] ?? 0).toBe(w);
          });
        }
      }),
      { numRuns: 200 },
    );
  });

  it("least_connections always picks an instance with the minimum active count", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 200 }), (n, steps) => {
        const f = setup("least_connections", Array.from({ length: n }, (_, i) => `i${i}`), { maxConnectionsPerInstance: 1_000_000 });
        const held: Lease[] = [];
        for (const [acquire, index] of steps) {
          if (acquire || held.length === 0) {
            const active = f.engine.getServiceSnapshot("svc")!.instances.map((i) => i.activeConnections);
            const lease = f.engine.acquire(f.view)!;
            const picked = Number(lease.instanceId.slice(1));
            expect(active[picked]).toBe(Math.min(...active));
            held.push(lease);
          } else {
            f.engine.release(held.splice(index % held.length, 1)[0]!, "success", 1);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it("consistent_hash moves about 1/N of 10,000 keys when one of N instances leaves or joins, and only those", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 16 }), fc.nat(), fc.string({ minLength: 1, maxLength: 8 }), (n, victim, prefix) => {
        const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
        const f = setup("consistent_hash", ids);
        const keys = (i: number): string => `session-${i}`;
        const before = picks(f, 10_000, { hashKey: keys });
        const gone = ids[victim % n]!;
        f.engine.removeInstance(svc, instanceId(gone));
        const after = picks(f, 10_000, { hashKey: keys });
        let moved = 0;
        for (let i = 0; i < before.length; i++) {
          if (before[i] === after[i]) continue;
          moved++;
          expect(before[i]).toBe(gone);
        }
        expect(moved / 10_000).toBeGreaterThan(0.5 / n);
        expect(moved / 10_000).toBeLessThan(1.5 / n);
        f.engine.upsertInstance(svc, instanceConfig(gone));
        expect(picks(f, 10_000, { hashKey: keys })).toEqual(before);
      }),
      { numRuns: 25 },
    );
  });

  it("histogram percentiles are within 1 % of the exact nearest-rank value", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60_000_000 }), { minLength: 1, maxLength: 500 }), fc.integer({ min: 1, max: 100 }), (values, p) => {
        const h = new LatencyHistogram();
        for (const v of values) h.record(v);
        const sorted = [...values].sort((a, b) => a - b);
        const exact = sorted[Math.max(1, Math.round((p / 100) * values.length)) - 1]!;
        expect(Math.abs(h.valueAtPercentile(p) - exact) / exact).toBeLessThanOrEqual(0.01);
      }),
      { numRuns: 300 },
    );
  });
});
