import { describe, expect, it } from "vitest";
import type { EventRow, SampleRow } from "../db";
import { DEFAULT_BREAKER, DEFAULT_HEALTH, createEngine, instanceId, seededRng, serviceName } from "../engine";
import { startEventStore } from "./event-store";
import { createStatsRecorder } from "./recorder";

function setup() {
  let wall = Date.UTC(2026, 10, 25, 10, 0, 1);
  let mono = 0;
  const engine = createEngine({ clock: { now: () => mono }, rng: seededRng(1) });
  const samples: SampleRow[] = [];
  const events: EventRow[] = [];
  const db = {
    stats: { insert: (rows: readonly SampleRow[]) => Promise.resolve(samples.push(...rows)) },
    events: { insert: (rows: readonly EventRow[]) => Promise.resolve(events.push(...rows)) },
  };
  const advance = (ms: number) => {
    wall += ms;
    mono += ms;
  };
  return { engine, samples, events, db, advance, now: () => wall };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe("flushes that find nothing to write", () => {
  it("do not stop later samples from being written (the recorder starts before any service exists)", async () => {
    const { engine, samples, db, advance, now } = setup();
    const recorder = createStatsRecorder({ engine, db: db as never, now, intervalMs: 5_000, tickMs: 1_000 });
    // First interval: no service at all, so nothing to write.
    for (let i = 0; i < 6; i++) {
      advance(1_000);
      recorder.tick();
    }
    expect(await recorder.flush()).toBe(true);
    const name = serviceName("late");
    engine.upsertService({ name, algorithm: "round_robin", maxConnectionsPerInstance: 10, breaker: DEFAULT_BREAKER, health: DEFAULT_HEALTH, requestTimeoutMs: 1_000 });
    engine.upsertInstance(name, { id: instanceId("l-1"), host: "127.0.0.1", port: 1, weight: 1, enabled: true, draining: false });
    const lease = engine.acquire(engine.getService("late")!)!;
    engine.release(lease, "success", 1_000);
    for (let i = 0; i < 5; i++) {
      advance(1_000);
      recorder.tick();
    }
    await settle();
    expect(recorder.counts()).toMatchObject({ buffered: 0, written: 2 });
    expect(samples.map((s) => [s.serviceName, s.instanceId, s.totalRequests])).toEqual([
      ["late", "", 1],
      ["late", "l-1", 1],
    ]);
  });

  it("do not stop later events from being written", async () => {
    const { engine, events, db } = setup();
    const store = startEventStore({ engine, db: db as never, toWallClockMs: (at) => at, flushEveryMs: 60_000 });
    expect(await store.flush()).toBe(true); // nothing yet
    engine.upsertService({ name: serviceName("s"), algorithm: "random", maxConnectionsPerInstance: 10, breaker: DEFAULT_BREAKER, health: DEFAULT_HEALTH, requestTimeoutMs: 1_000 });
    expect(await store.flush()).toBe(true);
    expect(events.map((e) => e.eventType)).toEqual(["service_registered"]);
    await store.stop();
  });
});
