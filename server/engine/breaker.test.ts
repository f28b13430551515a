import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "./breaker";
import { EngineError } from "./errors";
import type { BreakerTransition } from "./events";
import { mustAcquire, setup } from "./test-support";
import type { Fixture } from "./test-support";
import { DEFAULT_BREAKER, instanceId, serviceName } from "./types";
import type { Outcome } from "./types";

const svc = serviceName("svc");
const a = instanceId("a");

function fail(f: Fixture, n: number, outcome: Outcome = "http_5xx"): void {
  for (let i = 0; i < n; i++) f.engine.release(mustAcquire(f), outcome, 500);
}

function state(f: Fixture): string {
  return f.engine.getServiceSnapshot("svc")!.instances[0]!.breaker.state;
}

function breakerEvents(f: Fixture): string[] {
  return f.events.filter((e) => e.type.startsWith("breaker_")).map((e) => e.type);
}

describe("circuit breaker through the engine (one per instance)", () => {
  it("opens after 5 consecutive failures, not after 4", () => {
    const f = setup("round_robin", ["a"]);
    fail(f, 4);
    expect(state(f)).toBe("closed");
    fail(f, 1);
    expect(state(f)).toBe("open");
    const opened = f.events.find((e) => e.type === "breaker_opened");
    expect(opened).toMatchObject({
      instanceId: "a",
      reason: "5 consecutive failures (last: http_5xx)",
      timeoutMs: 60_000,
      halfOpenAt: 61_000,
      at: 1_000,
    });
    expect(f.engine.acquire(f.view)).toBeUndefined();
  });

  it("counts connect errors and timeouts, not 4xx or client aborts", () => {
    const f = setup("round_robin", ["a"]);
    fail(f, 2, "connect_error");
    fail(f, 3, "http_4xx"); // a 4xx is a success: resets the count
    fail(f, 2, "timeout");
    fail(f, 5, "client_abort"); // neutral: neither resets nor counts
    expect(f.engine.getServiceSnapshot("svc")!.instances[0]!.breaker).toMatchObject({ state: "closed", consecutiveFailures: 2 });
    fail(f, 3, "timeout");
    expect(state(f)).toBe("open");
  });

  it("a success in closed resets consecutive failures", () => {
    const f = setup("round_robin", ["a"]);
    fail(f, 4);
    fail(f, 1, "success");
    fail(f, 4);
    expect(state(f)).toBe("closed");
  });

  it("isolates instances: one instance's breaker does not affect another (seed bug)", () => {
    const f = setup("round_robin", ["a", "b"]);
    for (let i = 0; i < 10; i++) {
      const lease = mustAcquire(f);
      f.engine.release(lease, lease.instanceId === "a" ? "http_5xx" : "success", 500);
    }
    const [sa, sb] = f.engine.getServiceSnapshot("svc")!.instances;
    expect(sa!.breaker.state).toBe("open");
    expect(sb!.breaker.state).toBe("closed");
  });

  it("half-opens at 60 s lazily on acquire, admits one probe, closes after 3 successes", () => {
    const f = setup("round_robin", ["a"]);
    fail(f, 5);
    f.clock.advance(59_999);
    expect(f.engine.acquire(f.view)).toBeUndefined();
    f.clock.advance(1);
    const probe = mustAcquire(f); // lazily promoted, no tick
    expect(state(f)).toBe("half_open");
    expect(f.engine.acquire(f.view)).toBeUndefined(); // halfOpenMaxProbes = 1
    f.engine.release(probe, "success", 100);
    f.engine.release(mustAcquire(f), "success", 100);
    expect(state(f)).toBe("half_open");
    f.engine.release(mustAcquire(f), "success", 100);
    expect(state(f)).toBe("closed");
    expect(breakerEvents(f)).toEqual(["breaker_opened", "breaker_half_opened", "breaker_closed"]);
    expect(f.events.find((e) => e.type === "breaker_closed")?.reason).toBe("3 successful probes in half_open");
  });

  it("tick() half-opens without any request", () => {
    const f = setup("round_robin", ["a"]);
    fail(f, 5);
    f.clock.advance(60_000);
    f.engine.tick();
    expect(state(f)).toBe("half_open");
    expect(f.events.at(-1)).toMatchObject({ type: "breaker_half_opened", reason: "recovery timeout of 60000 ms elapsed" });
  });

  it("re-opens on a failed probe with the timeout doubled, capped at the maximum, and back to base after closing", () => {
    const f = setup("round_robin", ["a"], { breaker: { ...DEFAULT_BREAKER, maxRecoveryTimeoutMs: 200_000 } });
    fail(f, 5);
    const timeouts: number[] = [];
    const expectOpenFor = (ms: number): void => {
      f.clock.advance(ms - 1);
      expect(f.engine.acquire(f.view)).toBeUndefined();
      f.clock.advance(1);
    };
    expectOpenFor(60_000);
    for (let i = 0; i < 3; i++) {
      fail(f, 1); // probe fails
      const opened = f.events.filter((e) => e.type === "breaker_opened").at(-1);
      if (opened?.type === "breaker_opened") timeouts.push(opened.timeoutMs);
      expectOpenFor(timeouts.at(-1)!);
    }
    expect(timeouts).toEqual([120_000, 200_000, 200_000]);
    fail(f, 3, "success");
    expect(state(f)).toBe("closed");
    fail(f, 5);
    expectOpenFor(60_000);
    expect(mustAcquire(f)).toBeDefined();
  });

  it("forced open stays open past any timeout until reset; reset clears counters", () => {
    const f = setup("round_robin", ["a"]);
    fail(f, 3);
    f.engine.forceOpenBreaker(svc, a, "operator isolated a");
    f.clock.advance(10 * 60_000);
    f.engine.tick();
    expect(f.engine.acquire(f.view)).toBeUndefined();
    expect(state(f)).toBe("forced_open");
    expect(() => {
      f.engine.forceOpenBreaker(svc, a, "again");
    }).toThrow(expect.objectContaining({ code: "CONFLICT" }) as Error);
    f.engine.resetBreaker(svc, a, "operator reset");
    expect(f.engine.getServiceSnapshot("svc")!.instances[0]!.breaker).toMatchObject({ state: "closed", consecutiveFailures: 0, opens: 1 });
    expect(f.events.filter((e) => e.type.startsWith("breaker_")).map((e) => [e.type, e.reason])).toEqual([
      ["breaker_forced_open", "operator isolated a"],
      ["breaker_reset", "operator reset"],
    ]);
    expect(mustAcquire(f).instanceId).toBe("a");
  });

  it("ignores results of leases acquired before the last transition", () => {
    const f = setup("round_robin", ["a"]);
    const stale = Array.from({ length: 3 }, () => mustAcquire(f));
    fail(f, 5);
    f.clock.advance(60_000);
    const probe = mustAcquire(f);
    for (const lease of stale) f.engine.release(lease, "http_5xx", 10); // would re-open if counted
    expect(state(f)).toBe("half_open");
    f.engine.release(probe, "success", 10);
    expect(f.engine.getServiceSnapshot("svc")!.instances[0]!.activeConnections).toBe(0);
  });

  it("a failed health check counts as a breaker failure", () => {
    const f = setup("round_robin", ["a"]);
    fail(f, 4);
    f.engine.recordHealthCheck(svc, a, false, "connect ECONNREFUSED");
    expect(state(f)).toBe("open");
    expect(f.events.find((e) => e.type === "breaker_opened")?.reason).toBe(
      "5 consecutive failures (last: health check failed: connect ECONNREFUSED)",
    );
  });
});

describe("CircuitBreaker transitions", () => {
  const make = (): { breaker: CircuitBreaker; seen: BreakerTransition[] } => {
    const seen: BreakerTransition[] = [];
    return { breaker: new CircuitBreaker(DEFAULT_BREAKER, (t) => seen.push(t)), seen };
  };
  const illegal: { name: string; run: (b: CircuitBreaker) => void }[] = [
    { name: "closed -> half_open", run: (b) => { b.halfOpen(0, "x"); } },
    { name: "closed -> closed", run: (b) => { b.close(0, "x"); } },
    { name: "open -> open", run: (b) => { b.open(0, "x"); b.open(1, "y"); } },
    { name: "open -> closed", run: (b) => { b.open(0, "x"); b.close(1, "y"); } },
    { name: "forced_open -> half_open", run: (b) => { b.forceOpen(0, "x"); b.halfOpen(1, "y"); } },
    { name: "forced_open -> open", run: (b) => { b.forceOpen(0, "x"); b.open(1, "y"); } },
  ];
  for (const c of illegal) {
    it(`throws CONFLICT on ${c.name}`, () => {
      const { breaker } = make();
      expect(() => {
        c.run(breaker);
      }).toThrow(EngineError);
    });
  }

  it("each transition emits exactly one event and bumps the epoch", () => {
    const { breaker, seen } = make();
    breaker.open(0, "r1");
    breaker.halfOpen(1, "r2");
    breaker.close(2, "r3");
    breaker.forceOpen(3, "r4");
    breaker.reset(4, "r5");
    expect(seen.map((t) => `${t.type}:${t.from}:${t.reason}:${t.at}`)).toEqual([
      "breaker_opened:closed:r1:0",
      "breaker_half_opened:open:r2:1",
      "breaker_closed:half_open:r3:2",
      "breaker_forced_open:closed:r4:3",
      "breaker_reset:forced_open:r5:4",
    ]);
    expect(breaker.epoch).toBe(5);
  });

  it("admits at most halfOpenMaxProbes concurrent probes", () => {
    const breaker = new CircuitBreaker({ ...DEFAULT_BREAKER, halfOpenMaxProbes: 2 }, () => undefined);
    breaker.open(0, "x");
    expect(breaker.promote(59_999)).toBe(false);
    expect(breaker.promote(60_000)).toBe(true);
    breaker.onAcquire();
    expect(breaker.admits()).toBe(true);
    breaker.onAcquire();
    expect(breaker.admits()).toBe(false);
    breaker.onLeaseResult(1, "client_abort");
    expect(breaker.admits()).toBe(true);
    expect(breaker.kind).toBe("half_open");
  });
});
