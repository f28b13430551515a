import { describe, expect, it } from "vitest";
import { createEngine, EngineError } from "./engine";
import type { EngineEvent } from "./events";
import { instanceConfig, manualClock, mustAcquire, picks, serviceConfig, setup } from "./test-support";
import { instanceId, isFailure, OUTCOMES, seededRng, serviceName } from "./types";
import type { Outcome } from "./types";

const svc = serviceName("svc");

describe("isFailure, the one failure predicate", () => {
  it.each([
    ["success", false],
    ["http_5xx", true],
    ["connect_error", true],
    ["timeout", true],
    ["client_abort", false],
    ["http_4xx", false],
  ] as const)("%s -> %s", (outcome, expected) => {
    expect(isFailure(outcome)).toBe(expected);
  });
});

describe("seededRng", () => {
  it("is deterministic per seed and stays in 0..2^32-1", () => {
    const a = seededRng(9);
    const b = seededRng(9);
    const c = seededRng(10);
    const xs = Array.from({ length: 1000 }, () => a.nextUint32());
    expect(Array.from({ length: 1000 }, () => b.nextUint32())).toEqual(xs);
    expect(c.nextUint32()).not.toBe(xs[0]);
    expect(xs.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff)).toBe(true);
    expect(new Set(xs).size).toBe(1000);
  });
});

describe("engine registry", () => {
  it("rejects bad options and configs with errors naming the value", () => {
    expect(() => createEngine({ clock: manualClock(), rng: {} as never })).toThrow(RangeError);
    const engine = createEngine({ clock: manualClock(), rng: seededRng(1) });
    expect(() => {
      engine.upsertService(serviceConfig("svc", "round_robin", { maxConnectionsPerInstance: 0 }));
    }).toThrow(/maxConnectionsPerInstance.*got 0/);
    expect(() => {
      engine.upsertService(serviceConfig("svc", "nope" as never));
    }).toThrow(expect.objectContaining({ code: "INVALID" }) as Error);
    engine.upsertService(serviceConfig("svc", "round_robin"));
    expect(() => {
      engine.upsertInstance(svc, instanceConfig("a", { weight: 1.5 }));
    }).toThrow(/instance.weight.*got 1.5/);
    expect(() => {
      engine.upsertInstance(svc, instanceConfig("a", { port: 70_000 }));
    }).toThrow(EngineError);
    expect(() => {
      engine.upsertInstance(serviceName("ghost"), instanceConfig("a"));
    }).toThrow(expect.objectContaining({ code: "NOT_FOUND" }) as Error);
    expect(() => {
      engine.removeInstance(svc, instanceId("ghost"));
    }).toThrow(expect.objectContaining({ code: "NOT_FOUND" }) as Error);
  });

  it("emits one event per change with service, instance, reason and time", () => {
    const f = setup("round_robin", ["a"]);
    f.clock.advance(5);
    f.engine.upsertInstance(svc, instanceConfig("a", { weight: 3, draining: true }), "operator drained a");
    f.engine.upsertInstance(svc, instanceConfig("a", { weight: 3, draining: true })); // no change, no event
    f.engine.upsertService({ ...f.view.config, algorithm: "least_connections" }, "operator switched");
    f.engine.removeInstance(svc, instanceId("a"), "gone");
    f.engine.removeService(svc);
    const summary = f.events.map((e) => ({ type: e.type, at: e.at, reason: e.reason }));
    expect(summary).toEqual([
      { type: "service_registered", at: 1_000, reason: "service registered" },
      { type: "instance_registered", at: 1_000, reason: "instance registered" },
      { type: "instance_updated", at: 1_005, reason: "operator drained a" },
      { type: "service_updated", at: 1_005, reason: "operator switched" },
      { type: "algorithm_changed", at: 1_005, reason: "operator switched" },
      { type: "instance_unregistered", at: 1_005, reason: "gone" },
      { type: "service_unregistered", at: 1_005, reason: "service removed" },
    ]);
    expect(f.events[2]).toMatchObject({
      service: "svc",
      instanceId: "a",
      changes: [
        { field: "weight", from: 1, to: 3 },
        { field: "draining", from: false, to: true },
      ],
    });
    expect(f.events[4]).toMatchObject({ from: "round_robin", to: "least_connections" });
  });

  it("emits health_changed and keeps unhealthy instances out until they rise", () => {
    const f = setup("round_robin", ["a", "b"]);
    for (let i = 0; i < 3; i++) f.engine.recordHealthCheck(svc, instanceId("b"), false, "HTTP 503");
    expect(f.events.filter((e) => e.type === "health_changed")).toMatchObject([
      { instanceId: "b", from: "unknown", to: "unhealthy", reason: "3 consecutive checks failed (last: HTTP 503)" },
    ]);
    f.engine.resetBreaker(svc, instanceId("b"), "test: keep the breaker out of it");
    expect(picks(f, 4)).toEqual(["a", "a", "a", "a"]);
    f.engine.recordHealthCheck(svc, instanceId("b"), true);
    expect(picks(f, 2)).toEqual(["a", "a"]);
    f.engine.recordHealthCheck(svc, instanceId("b"), true);
    expect(picks(f, 2)).toEqual(["b", "a"]);
    const snap = f.engine.getServiceSnapshot("svc")!;
    expect(snap.healthyCount).toBe(1);
    expect(snap.availableCount).toBe(2);
  });

  it("lets a listener call back into the engine and see consistent state", () => {
    const f = setup("round_robin", ["a"]);
    const seen: string[] = [];
    f.engine.on("breaker_opened", (e) => {
      const inst = f.engine.getServiceSnapshot(e.service)!.instances[0]!;
      seen.push(`${inst.breaker.state}/${inst.activeConnections}/${inst.failedRequests}`);
    });
    for (let i = 0; i < 5; i++) f.engine.release(mustAcquire(f), "timeout", 30_000_000);
    expect(seen).toEqual(["open/0/5"]);
  });

  it("delivers to every listener even if one throws, then reports the error", () => {
    const clock = manualClock();
    const errors: unknown[] = [];
    const engine = createEngine({ clock, rng: seededRng(1), onListenerError: (err) => errors.push(err) });
    const got: EngineEvent["type"][] = [];
    engine.on("service_registered", () => {
      throw new Error("boom");
    });
    const dispose = engine.on("*", (e) => got.push(e.type));
    engine.upsertService(serviceConfig("svc", "random"));
    dispose();
    engine.upsertService(serviceConfig("svc2", "random"));
    expect(got).toEqual(["service_registered"]);
    expect(errors).toHaveLength(2);
    const strict = createEngine({ clock, rng: seededRng(1) });
    strict.on("*", () => {
      throw new Error("loud");
    });
    expect(() => {
      strict.upsertService(serviceConfig("svc", "random"));
    }).toThrow("loud");
    expect(strict.getService("svc")).toBeDefined();
  });
});

describe("leases", () => {
  it("release is idempotent", () => {
    const f = setup("round_robin", ["a"]);
    const lease = mustAcquire(f);
    expect(lease).toMatchObject({ service: "svc", instanceId: "a", host: "a.local", port: 8000, startedAt: 1_000 });
    f.engine.release(lease, "http_5xx", 10);
    f.engine.release(lease, "http_5xx", 10);
    const inst = f.engine.getServiceSnapshot("svc")!.instances[0]!;
    expect(inst).toMatchObject({ activeConnections: 0, totalRequests: 1, failedRequests: 1 });
    expect(inst.breaker.consecutiveFailures).toBe(1);
  });

  it("still releases after its instance and its service were removed", () => {
    const f = setup("round_robin", ["a", "b"]);
    const la = mustAcquire(f);
    const lb = mustAcquire(f);
    f.engine.removeInstance(svc, instanceId("a"));
    f.engine.release(la, "success", 5);
    expect(f.engine.getServiceSnapshot("svc")!.activeConnections).toBe(1);
    f.engine.removeService(svc);
    f.engine.release(lb, "success", 5);
    expect(f.engine.acquire(f.view)).toBeUndefined();
    expect(f.engine.drainStats().totals).toEqual({ requests: 2, failed: 0 });
  });

  it("rejects a lease that is not from this engine and a negative latency", () => {
    const f = setup("round_robin", ["a"]);
    const lease = mustAcquire(f);
    expect(() => {
      f.engine.release({ ...lease }, "success", 1);
    }).toThrow(EngineError);
    expect(() => {
      f.engine.release(lease, "success", -1);
    }).toThrow(RangeError);
    f.engine.release(lease, "success", 1); // still releasable after the rejected call
    expect(f.engine.getServiceSnapshot("svc")!.activeConnections).toBe(0);
  });
});

describe("drainStats", () => {
  it("counts each outcome exactly per instance and service, then resets", () => {
    const f = setup("round_robin", ["a", "b"]);
    const outcomes: Outcome[] = [...OUTCOMES, "success", "http_5xx"]; // 8 requests alternating a, b
    outcomes.forEach((outcome, i) => {
      f.engine.release(mustAcquire(f), outcome, (i + 1) * 1_000);
    });
    const held = mustAcquire(f);
    f.clock.advance(5_000);
    const s = f.engine.drainStats();
    expect(s.at).toBe(6_000);
    expect(s.intervalMs).toBe(5_000);
    const service = s.services[0]!;
    expect(service).toMatchObject({
      name: "svc",
      algorithm: "round_robin",
      requests: 8,
      failed: 4,
      failed5xx: 2,
      failedConnect: 1,
      failedTimeout: 1,
      clientAborts: 1,
      status4xx: 1,
      activeConnections: 1,
    });
    expect(held.instanceId).toBe("a");
    expect(service.latency).toMatchObject({ count: 8, avgUs: 4_500, maxUs: 8_000 });
    // a got outcomes 0,2,4,6 = success, connect_error, client_abort, success
    expect(service.instances.map((i) => [i.id, i.requests, i.failed, i.failedConnect, i.clientAborts, i.activeConnections])).toEqual([
      ["a", 4, 1, 1, 1, 1],
      ["b", 4, 3, 0, 0, 0],
    ]);
    expect(s.totals).toEqual({ requests: 8, failed: 4 });
    f.engine.release(held, "success", 1);
    f.clock.advance(1_000);
    const next = f.engine.drainStats();
    expect(next.intervalMs).toBe(1_000);
    expect(next.services[0]).toMatchObject({ requests: 1, failed: 0, failed5xx: 0, activeConnections: 0 });
    expect(next.services[0]!.latency.count).toBe(1);
    expect(next.totals).toEqual({ requests: 9, failed: 4 });
  });
});
