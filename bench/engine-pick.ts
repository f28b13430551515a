/**
 * Pick benchmark for the balancing engine (STYLE habit 2's anchor measurement).
 * For every algorithm: 10,000 instances (weights 1..5), N acquire+release pairs
 * timed with performance.now, reported as ns per pair; in the same run, a naive
 * linear-scan pick (the seed's way: filter the eligible instances into a new list
 * on every request, then scan it for the least-loaded one) over the same 10,000
 * instances, and the ratio. Target: < 1 µs per pick for every algorithm.
 *
 * Run: npx tsx bench/engine-pick.ts [pairs] [algorithm substring]
 */

import { ALGORITHMS, DEFAULT_HEALTH, DEFAULT_REQUEST_TIMEOUT_MS, createEngine, instanceId, seededRng, serviceName } from "../server/engine";
import type { Algorithm, InstanceSnapshot } from "../server/engine";

const INSTANCES = 10_000;
const PAIRS = Number(process.argv[2] ?? 100_000);
const WARMUP = 20_000;
const ROUNDS = 5;
const clock = { now: () => performance.now() };
const keys = Array.from({ length: 4096 }, (_, i) => `user-${i}`);

function buildEngine(algorithm: Algorithm) {
  const engine = createEngine({ clock, rng: seededRng(12345) });
  const name = serviceName("bench");
  engine.upsertService({
    name,
    algorithm,
    maxConnectionsPerInstance: Number.POSITIVE_INFINITY,
    breaker: { failureThreshold: 5, recoveryTimeoutMs: 60_000, maxRecoveryTimeoutMs: 600_000, successThreshold: 3, halfOpenMaxProbes: 1 },
    health: DEFAULT_HEALTH,
    requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  });
  for (let i = 0; i < INSTANCES; i++) {
    engine.upsertInstance(name, {
      id: instanceId(`i-${i}`),
      host: `10.0.${i >> 8}.${i & 255}`,
      port: 8080,
      weight: (i % 5) + 1,
      enabled: true,
      draining: false,
    });
  }
  return engine;
}

function timeEngine(algorithm: Algorithm): { nsPerPair: number; bestNs: number; firstPickMs: number } {
  const engine = buildEngine(algorithm);
  const view = engine.getService("bench");
  if (view === undefined) throw new Error("no service");
  const t0 = performance.now();
  const first = engine.acquire(view, keys[0]);
  const firstPickMs = performance.now() - t0; // includes the snapshot (and ring) build
  if (first === undefined) throw new Error(`${algorithm}: no pick`);
  engine.release(first, "success", 1_000);
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const lease = engine.acquire(view, keys[i & 4095]);
      if (lease === undefined) throw new Error(`${algorithm}: no pick`);
      engine.release(lease, "success", 800 + (i & 1023));
    }
  };
  run(WARMUP);
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    run(PAIRS);
    rounds.push(((performance.now() - start) * 1e6) / PAIRS);
  }
  return { nsPerPair: median(rounds), bestNs: Math.min(...rounds), firstPickMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

interface NaiveInstance {
  id: string;
  enabled: boolean;
  draining: boolean;
  weight: number;
  health: InstanceSnapshot["health"];
  breakerState: InstanceSnapshot["breaker"]["state"];
  active: number;
}

/** The seed's approach: a fresh filtered list per request, then a linear scan. */
function timeNaive(): number {
  const engine = buildEngine("least_connections");
  const instances: NaiveInstance[] = (engine.getServiceSnapshot("bench")?.instances ?? []).map((i) => ({
    id: i.id,
    enabled: i.enabled,
    draining: i.draining,
    weight: i.weight,
    health: i.health,
    breakerState: i.breaker.state,
    active: i.activeConnections,
  }));
  const pick = (): NaiveInstance | undefined => {
    const eligible = instances.filter(
      (i) => i.enabled && !i.draining && i.weight > 0 && i.health !== "unhealthy" && i.breakerState === "closed",
    );
    let best = eligible[0];
    for (const i of eligible) if (best === undefined || i.active < best.active) best = i;
    return best;
  };
  const n = 2_000;
  for (let i = 0; i < 500; i++) pick();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const chosen = pick();
      if (chosen === undefined) throw new Error("naive: no pick");
      chosen.active++;
      chosen.active--;
    }
    rounds.push(((performance.now() - start) * 1e6) / n);
  }
  return median(rounds);
}

const naiveNs = timeNaive();
console.log(
  `engine pick benchmark: ${INSTANCES} instances, ${ROUNDS} rounds of ${PAIRS} acquire+release pairs per algorithm, median and best round (node ${process.version})`,
);
console.log(`baseline naive linear scan (filter + scan per pick): ${naiveNs.toFixed(0)} ns/pick`);
console.log("");
console.log(
  `${"algorithm".padEnd(22)} ${"ns/pair".padStart(9)} ${"best".padStart(6)} ${"vs naive".padStart(9)} ${"first pick (build)".padStart(19)}  target`,
);
let allUnder = true;
const only = process.argv[3];
for (const algorithm of ALGORITHMS) {
  if (only !== undefined && !algorithm.includes(only)) continue;
  const { nsPerPair, bestNs, firstPickMs } = timeEngine(algorithm);
  const ok = nsPerPair < 1_000;
  allUnder &&= ok;
  console.log(
    `${algorithm.padEnd(22)} ${nsPerPair.toFixed(0).padStart(9)} ${bestNs.toFixed(0).padStart(6)} ${`${(naiveNs / nsPerPair).toFixed(0)}x`.padStart(9)} ${`${firstPickMs.toFixed(1)} ms`.padStart(19)}  ${ok ? "< 1 µs ok" : "OVER 1 µs"}`,
  );
}
console.log("");
console.log(allUnder ? "all algorithms under 1 µs per acquire+release" : "some algorithm is over 1 µs per acquire+release");
