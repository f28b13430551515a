import { describe, expect, it } from "vitest";
import { createEngine } from "./engine";
import type { EngineEvent } from "./events";
import { RoutingErrorLimiter, type RoutingError } from "./routing-errors";
import { manualClock, serviceConfig } from "./test-support";
import { instanceId, seededRng, serviceName } from "./types";

const orders = serviceName("orders");
const err = (requestId: string, kind: RoutingError["kind"] = "bad_gateway"): RoutingError => ({
  kind,
  status: kind === "bad_gateway" ? 502 : kind === "gateway_timeout" ? 504 : 503,
  instanceId: instanceId("o-1"),
  requestId,
  detail: "could not reach the instance",
});

describe("RoutingErrorLimiter", () => {
  it("lets the first error through, counts the rest of the window, and flushes them after it", () => {
    const limiter = new RoutingErrorLimiter(1_000);
    expect(limiter.report(orders, err("r1"), 0)).toEqual({ service: orders, error: err("r1"), count: 1 });
    expect(limiter.report(orders, err("r2"), 100)).toBeUndefined();
    expect(limiter.report(orders, err("r3"), 900)).toBeUndefined();
    expect(limiter.flush(999)).toEqual([]);
    expect(limiter.flush(1_000)).toEqual([{ service: orders, error: err("r3"), count: 2 }]);
    expect(limiter.flush(2_500)).toEqual([]); // quiet window: forgotten
    expect(limiter.report(orders, err("r4"), 2_600)).toEqual({ service: orders, error: err("r4"), count: 1 });
  });

  it("keeps kinds and services apart", () => {
    const limiter = new RoutingErrorLimiter(1_000);
    expect(limiter.report(orders, err("a"), 0)?.count).toBe(1);
    expect(limiter.report(orders, err("b", "gateway_timeout"), 1)?.count).toBe(1);
    expect(limiter.report(serviceName("billing"), err("c"), 2)?.count).toBe(1);
    expect(limiter.report(orders, err("d"), 3)).toBeUndefined();
  });

  it("includes the suppressed count when the next report comes after the window", () => {
    const limiter = new RoutingErrorLimiter(1_000);
    limiter.report(orders, err("a"), 0);
    limiter.report(orders, err("b"), 10);
    limiter.report(orders, err("c"), 20);
    expect(limiter.report(orders, err("d"), 1_500)).toEqual({ service: orders, error: err("d"), count: 3 });
  });

  it("rejects a negative window", () => {
    expect(() => new RoutingErrorLimiter(-1)).toThrow(RangeError);
  });
});

describe("engine.reportRoutingError", () => {
  it("emits routing_error events, rate-limited, with the count each stands for", () => {
    const clock = manualClock();
    const engine = createEngine({ clock, rng: seededRng(1) });
    engine.upsertService(serviceConfig("orders", "round_robin"));
    const events: Extract<EngineEvent, { type: "routing_error" }>[] = [];
    engine.on("routing_error", (e) => events.push(e));
    for (let i = 0; i < 50; i++) engine.reportRoutingError(orders, err(`r${i}`));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "routing_error", service: "orders", kind: "bad_gateway", status: 502, instanceId: "o-1", requestId: "r0", count: 1 });
    clock.advance(1_000);
    engine.tick();
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ requestId: "r49", count: 49, reason: "could not reach the instance" });
    expect(events.reduce((sum, e) => sum + e.count, 0)).toBe(50);
  });
});
