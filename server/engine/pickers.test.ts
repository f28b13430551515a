import { describe, expect, it } from "vitest";
import { counts, instanceConfig, mustAcquire, picks, setup } from "./test-support";
import { Sampler } from "./sampler";
import { instanceId, seededRng, serviceName } from "./types";
import type { Algorithm } from "./types";

const svc = serviceName("svc");

describe("round_robin", () => {
  const cases: { name: string; instances: string[]; n: number; expected: string }[] = [
    { name: "three instances rotate in registration order", instances: ["a", "b", "c"], n: 7, expected: "a b c a b c a" },
    { name: "one instance", instances: ["a"], n: 3, expected: "a a a" },
    { name: "no instance", instances: [], n: 2, expected: "- -" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(picks(setup("round_robin", c.instances), c.n).join(" ")).toBe(c.expected);
    });
  }

  it("continues after the last pick when an instance is removed mid-rotation", () => {
    const f = setup("round_robin", ["a", "b", "c", "d"]);
    expect(picks(f, 2)).toEqual(["a", "b"]);
    f.engine.removeInstance(svc, instanceId("c"));
    expect(picks(f, 4)).toEqual(["d", "a", "b", "d"]);
  });

  it("continues after the last pick when the last-picked instance itself is removed", () => {
    const f = setup("round_robin", ["a", "b", "c", "d"]);
    expect(picks(f, 2)).toEqual(["a", "b"]);
    f.engine.removeInstance(svc, instanceId("b"));
    expect(picks(f, 3)).toEqual(["c", "d", "a"]);
  });

  it("keeps one position per service (the seed shared one index)", () => {
    const f = setup("round_robin", ["a", "b", "c"]);
    f.engine.upsertService({ ...f.view.config, name: serviceName("other") });
    f.engine.upsertInstance(serviceName("other"), instanceConfig("x"));
    f.engine.upsertInstance(serviceName("other"), instanceConfig("y"));
    const other = f.engine.getService("other")!;
    const seq: string[] = [];
    for (let i = 0; i < 3; i++) {
      seq.push(mustAcquire(f).instanceId, f.engine.acquire(other)!.instanceId);
    }
    expect(seq.join("")).toBe("axbycx");
  });

  it("skips the excluded instance", () => {
    const f = setup("round_robin", ["a", "b", "c"]);
    expect(picks(f, 4, { exclude: "b" })).toEqual(["a", "c", "a", "c"]);
    expect(picks(setup("round_robin", ["a"]), 1, { exclude: "a" })).toEqual(["-"]);
  });
});

describe("least_connections", () => {
  it("breaks ties round robin when every pick is released", () => {
    expect(picks(setup("least_connections", ["a", "b", "c"]), 6).join("")).toBe("abcabc");
  });

  it("breaks ties round robin while requests are held", () => {
    expect(picks(setup("least_connections", ["a", "b", "c"]), 7, { hold: true }).join("")).toBe("abcabca");
  });

  it("picks the instance with the fewest active requests", () => {
    const f = setup("least_connections", ["a", "b", "c"]);
    const held = picks(f, 3, { hold: true }); // a, b, c each 1 active
    expect(held).toEqual(["a", "b", "c"]);
    const leaseA = mustAcquire(f); // a: 2
    expect(leaseA.instanceId).toBe("a");
    // b and c have 1, a has 2: the next two go to b then c, never a
    expect(picks(f, 2, { hold: true })).toEqual(["b", "c"]);
    // release one of a's: a has 1, b and c have 2
    f.engine.release(leaseA, "success", 10);
    expect(picks(f, 1, { hold: true })).toEqual(["a"]);
  });

  it("excludes the root and takes the runner-up", () => {
    const f = setup("least_connections", ["a", "b", "c"]);
    expect(picks(f, 3, { exclude: "a" })).toEqual(["b", "c", "b"]);
  });
});

describe("weighted_round_robin (nginx smooth)", () => {
  const cases: { weights: [string, number][]; cycles: number; expected: string }[] = [
    { weights: [["a", 5], ["b", 1], ["c", 1]], cycles: 2, expected: "aabacaa".repeat(2) },
    { weights: [["a", 1], ["b", 1], ["c", 1]], cycles: 2, expected: "abc".repeat(2) },
    { weights: [["a", 2], ["b", 1]], cycles: 3, expected: "aba".repeat(3) },
    { weights: [["a", 3], ["b", 2]], cycles: 2, expected: "ababa".repeat(2) },
    { weights: [["a", 0], ["b", 1], ["c", 2]], cycles: 2, expected: "cbc".repeat(2) },
  ];
  for (const c of cases) {
    it(`weights ${c.weights.map(([id, w]) => `${id}=${w}`).join(",")} pick ${c.expected}`, () => {
      const total = c.weights.reduce((s, [, w]) => s + w, 0);
      expect(picks(setup("weighted_round_robin", c.weights), total * c.cycles).join("")).toBe(c.expected);
    });
  }

  it("gives Traefik's 11:3 case exact shares with nginx's interleaving (ties to the first)", () => {
    // by hand from nginx's rule; step 7 is a 7:7 tie that goes to A (registered first)
    const seq = picks(setup("weighted_round_robin", [["A", 11], ["B", 3]]), 28);
    expect(seq.join("")).toBe("AABAAAABAAABAA".repeat(2));
  });

  it("never picks a weight-0 instance even when it is the only one", () => {
    expect(picks(setup("weighted_round_robin", [["z", 0]]), 3)).toEqual(["-", "-", "-"]);
  });

  it("skips the excluded instance", () => {
    const seq = picks(setup("weighted_round_robin", [["a", 5], ["b", 1], ["c", 1]]), 6, { exclude: "a" });
    expect(seq.includes("a")).toBe(false);
    expect(counts(seq)).toEqual({ b: 3, c: 3 });
  });

  it("uses the EDF scheduler beyond 64 distinct weights and still gives exact shares", () => {
    const weights: [string, number][] = Array.from({ length: 80 }, (_, i) => [`i${i}`, i + 1]);
    const total = weights.reduce((s, [, w]) => s + w, 0);
    const f = setup("weighted_round_robin", weights);
    for (let cycle = 0; cycle < 2; cycle++) {
      const got = counts(picks(f, total));
      for (const [id, w] of weights) expect(got[id]).toBe(w);
    }
  });
});

describe("random", () => {
  it("is reproducible with the same seed and spreads uniformly", () => {
    const a = picks(setup("random", ["a", "b", "c", "d"], {}, 42), 8000);
    const b = picks(setup("random", ["a", "b", "c", "d"], {}, 42), 8000);
    expect(a).toEqual(b);
    for (const n of Object.values(counts(a))) expect(Math.abs(n - 2000)).toBeLessThan(200);
  });

  it("never picks the excluded instance and ignores weights", () => {
    const seq = picks(setup("random", [["a", 1], ["b", 9], ["c", 1]]), 3000, { exclude: "b" });
    const got = counts(seq);
    expect(got.b).toBeUndefined();
    expect(Math.abs((got.a ?? 0) - 1500)).toBeLessThan(150);
  });
});

describe("power_of_two_choices", () => {
  it("takes the less loaded of the two draws", () => {
    const f = setup("power_of_two_choices", ["a", "b"]);
    // load a with 5 active requests by excluding b
    for (let i = 0; i < 5; i++) f.engine.acquire(f.view, undefined, instanceId("b"));
    // with two instances both are always drawn, so every pick goes to b until it has 5 too
    expect(picks(f, 5, { hold: true })).toEqual(["b", "b", "b", "b", "b"]);
  });

  it("samples proportionally to weight when weights differ", () => {
    const f = setup("power_of_two_choices", [["a", 1], ["b", 3], ["c", 1], ["d", 3]], {}, 7);
    const got = counts(picks(f, 8000));
    // released at once, so load ties and the first draw wins: shares follow weights 1:3:1:3
    expect(Math.abs((got.b ?? 0) / (got.a ?? 1) - 3)).toBeLessThan(0.4);
  });
});

describe("least_response_time (peak EWMA × (active + 1), P2C)", () => {
  it("moves traffic away from a slow instance and back after the estimate decays", () => {
    const f = setup("least_response_time", ["fast", "slow"]);
    // teach the estimates: fast 1 ms, slow 200 ms
    for (let i = 0; i < 20; i++) {
      const lease = mustAcquire(f);
      f.engine.release(lease, "success", lease.instanceId === "slow" ? 200_000 : 1_000);
    }
    const seq = picks(f, 50);
    expect(counts(seq).slow ?? 0).toBe(0);
    // idle for a minute: both estimates decay toward zero, ties resolve by load
    f.clock.advance(120_000);
    const later = counts(picks(f, 20, { hold: true }));
    expect(later.slow ?? 0).toBeGreaterThan(0);
  });
});

describe("consistent_hash", () => {
  const ids = ["a", "b", "c", "d", "e"];

  it("sends the same key to the same instance", () => {
    const f = setup("consistent_hash", ids);
    const first = picks(f, 50, { hashKey: (i) => `user-${i}` });
    const second = picks(f, 50, { hashKey: (i) => `user-${i}` });
    expect(second).toEqual(first);
    expect(Object.keys(counts(first)).length).toBe(5);
  });

  it("walks to the next eligible instance when the owner is unavailable, and back", () => {
    const f = setup("consistent_hash", ids);
    const before = picks(f, 200, { hashKey: (i) => `k${i}` });
    f.engine.upsertInstance(svc, instanceConfig("c", { draining: true }));
    const during = picks(f, 200, { hashKey: (i) => `k${i}` });
    for (let i = 0; i < before.length; i++) {
      if (before[i] !== "c") expect(during[i]).toBe(before[i]);
      else expect(during[i]).not.toBe("c");
    }
    f.engine.upsertInstance(svc, instanceConfig("c"));
    expect(picks(f, 200, { hashKey: (i) => `k${i}` })).toEqual(before);
  });

  it("skips the excluded owner", () => {
    const f = setup("consistent_hash", ids);
    const owner = picks(f, 1, { hashKey: () => "key" })[0]!;
    const retry = picks(f, 1, { hashKey: () => "key", exclude: owner })[0]!;
    expect(retry).not.toBe(owner);
    expect(retry).not.toBe("-");
  });

  it("falls back to a random eligible instance without a key", () => {
    const got = counts(picks(setup("consistent_hash", ids), 1000));
    expect(Object.keys(got).length).toBe(5);
  });
});

describe("every algorithm", () => {
  const all: Algorithm[] = [
    "round_robin",
    "least_connections",
    "weighted_round_robin",
    "random",
    "power_of_two_choices",
    "least_response_time",
    "consistent_hash",
  ];
  for (const algorithm of all) {
    it(`${algorithm}: never picks disabled, draining, unhealthy or weight-0 instances; unknown is eligible`, () => {
      const f = setup(algorithm, ["ok", "unknown", "off", "drain", "sick", "zero"]);
      f.engine.upsertInstance(svc, instanceConfig("off", { enabled: false }));
      f.engine.upsertInstance(svc, instanceConfig("drain", { draining: true }));
      f.engine.upsertInstance(svc, instanceConfig("zero", { weight: 0 }));
      f.engine.recordHealthCheck(svc, instanceId("ok"), true);
      for (let i = 0; i < 3; i++) f.engine.recordHealthCheck(svc, instanceId("sick"), false, "connect refused");
      f.engine.resetBreaker(svc, instanceId("sick"), "isolate the health test from the breaker");
      const got = counts(picks(f, 400, { hashKey: (i) => `key-${i}` }));
      expect(Object.keys(got).sort()).toEqual(["ok", "unknown"]);
    });

    it(`${algorithm}: respects maxConnectionsPerInstance and frees the slot on release`, () => {
      const f = setup(algorithm, ["a", "b"], { maxConnectionsPerInstance: 2 });
      const held = picks(f, 5, { hold: true, hashKey: (i) => `k${i}` });
      expect(counts(held)).toEqual({ a: 2, b: 2, "-": 1 });
      const snap = f.engine.getServiceSnapshot("svc")!;
      expect(snap.availableCount).toBe(0);
      expect(snap.activeConnections).toBe(4);
    });

    it(`${algorithm}: switching to it takes effect on the next pick`, () => {
      const f = setup("round_robin", ["a", "b"]);
      expect(picks(f, 1)).toEqual(["a"]);
      f.engine.upsertService({ ...f.view.config, algorithm });
      expect(f.view.config.algorithm).toBe(algorithm);
      expect(picks(f, 20, { hashKey: (i) => `k${i}` }).every((id) => id === "a" || id === "b")).toBe(true);
    });
  }
});

describe("Sampler (alias table + exact exclusion)", () => {
  it("draws in proportion to weight, with excluded members removed exactly", () => {
    // the sampler only reads weight and snapIndex of its members
    const members = [1, 2, 3, 4].map((w, i) => ({ weight: w, snapIndex: i, id: `w${w}` }));
    const sampler = new Sampler(members as never, true);
    const rng = seededRng(3);
    const all: Record<string, number> = {};
    const without4: Record<string, number> = {};
    for (let i = 0; i < 100_000; i++) {
      const a = sampler.sample(rng) as unknown as { id: string };
      all[a.id] = (all[a.id] ?? 0) + 1;
      const b = sampler.sample(rng, members[3] as never) as unknown as { id: string };
      without4[b.id] = (without4[b.id] ?? 0) + 1;
    }
    [1, 2, 3, 4].forEach((w) => {
      expect(Math.abs((all[`w${w}`] ?? 0) / 100_000 - w / 10)).toBeLessThan(0.01);
    });
    expect(without4.w4).toBeUndefined();
    [1, 2, 3].forEach((w) => {
      expect(Math.abs((without4[`w${w}`] ?? 0) / 100_000 - w / 6)).toBeLessThan(0.01);
    });
  });
});
