/**
 * Fixtures for the engine's own tests (not exported from index.ts): a manual
 * clock, config builders, and helpers that record pick sequences.
 * Pure like the rest of the engine.
 */

import { createEngine } from "./engine";
import type { Engine, Lease, ServiceView } from "./engine";
import type { EngineEvent } from "./events";
import { DEFAULT_BREAKER, DEFAULT_HEALTH, DEFAULT_REQUEST_TIMEOUT_MS, instanceId, seededRng, serviceName } from "./types";
import type { Algorithm, Clock, InstanceConfig, ServiceConfig } from "./types";

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(start = 0): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

export function serviceConfig(name: string, algorithm: Algorithm, overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    name: serviceName(name),
    algorithm,
    maxConnectionsPerInstance: 1_000,
    breaker: { ...DEFAULT_BREAKER },
    health: { ...DEFAULT_HEALTH },
    requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
    ...overrides,
  };
}

export function instanceConfig(id: string, overrides: Partial<Omit<InstanceConfig, "id">> = {}): InstanceConfig {
  return { id: instanceId(id), host: `${id}.local`, port: 8000, weight: 1, enabled: true, draining: false, ...overrides };
}

export interface Fixture {
  engine: Engine;
  clock: ManualClock;
  view: ServiceView;
  events: EngineEvent[];
}

/** One service "svc" with the given instances (id or [id, weight]). */
export function setup(
  algorithm: Algorithm,
  instances: readonly (string | readonly [string, number])[],
  overrides: Partial<ServiceConfig> = {},
  seed = 1,
): Fixture {
  const clock = manualClock(1_000);
  const engine = createEngine({ clock, rng: seededRng(seed) });
  const events: EngineEvent[] = [];
  engine.on("*", (e) => events.push(e));
  engine.upsertService(serviceConfig("svc", algorithm, overrides));
  for (const spec of instances) {
    const [id, weight] = typeof spec === "string" ? [spec, 1] : spec;
    engine.upsertInstance(serviceName("svc"), instanceConfig(id, { weight }));
  }
  const view = engine.getService("svc");
  if (view === undefined) throw new Error("fixture: service missing");
  return { engine, clock, view, events };
}

/** n picks, each released at once with `success` unless `hold` keeps them active. */
export function picks(
  f: Fixture,
  n: number,
  options: { hashKey?: (i: number) => string; exclude?: string; hold?: boolean } = {},
): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const lease = f.engine.acquire(f.view, options.hashKey?.(i), options.exclude === undefined ? undefined : instanceId(options.exclude));
    if (lease === undefined) {
      out.push("-");
      continue;
    }
    out.push(lease.instanceId);
    if (options.hold !== true) f.engine.release(lease, "success", 1_000);
  }
  return out;
}

export function counts(sequence: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of sequence) out[id] = (out[id] ?? 0) + 1;
  return out;
}

export function mustAcquire(f: Fixture, hashKey?: string): Lease {
  const lease = f.engine.acquire(f.view, hashKey);
  if (lease === undefined) throw new Error("expected a lease");
  return lease;
}
