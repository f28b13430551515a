/**
 * The `this-proxy` front: the real engine + createProxyServer, configured as
 * server/main.ts does, with the two backends as instances of service "bench"
 * (round_robin) and every per-request feature on: selection with eligibility,
 * breakers (DEFAULT_BREAKER), stats windows (drained every second, as the
 * stats ring would), request ids (wrk sends none, so each one is generated),
 * retry budget, X-Forwarded-*. The engine is ticked every 250 ms as in main.ts.
 *
 * With `--record` (the `this-proxy-recording` configuration) the stats are
 * recorded as server/main.ts records them, instead of being drained and
 * dropped: an embedded database (PGlite, in its worker thread) in a fresh temp
 * dir, createStatsRecorder (1 s ticks, 5 s samples, one batch per interval),
 * startEventStore, and runMaintenance at start and every minute. When it is
 * told to stop (stdin closed, or SIGTERM) it writes its last interval, prints
 * `recorded <samples> samples, <dropped> dropped, <events> events` on stdout
 * (the runner checks it: a ratio with recording silently off would mean
 * nothing), closes the database and removes the temp dir.
 *
 * Run by bench/run.ts: `tsx bench/proxy-server.ts [--record] <port> <port>`; clients call `/bench/...`.
 */
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "../server/db";
import { DEFAULT_BREAKER, DEFAULT_HEALTH, DEFAULT_REQUEST_TIMEOUT_MS, createEngine, instanceId, seededRng, serviceName, type Engine } from "../server/engine";
import { createProxyServer } from "../server/proxy";
import { createStatsRecorder, runMaintenance, startEventStore } from "../server/stats";
import { announce, backendPorts, hasFlag } from "./lib/child-server";

const ENGINE_TICK_MS = 250;
const STATS_WINDOW_MS = 1_000;

const clock = { now: () => performance.now() };
const engine = createEngine({ clock, rng: seededRng(20_240_601) });
const name = serviceName("bench");
engine.upsertService({
  name,
  algorithm: "round_robin",
  maxConnectionsPerInstance: 100,
  breaker: DEFAULT_BREAKER,
  health: DEFAULT_HEALTH,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
});
backendPorts().forEach((port, i) => {
  engine.upsertInstance(name, { id: instanceId(`backend-${i + 1}`), host: "127.0.0.1", port, weight: 1, enabled: true, draining: false });
});
setInterval(() => engine.tick(), ENGINE_TICK_MS);

/** Recording as server/main.ts wires it; returns what to do before exiting. */
async function startRecording(engine: Engine): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(join(tmpdir(), "alicia-bench-record-"));
  process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
  const db = await createDb({ kind: "embedded", dataDir });
  const toWallClockMs = (at: number) => Date.now() - (clock.now() - at);
  const warn = (what: string) => (error: unknown) => process.stderr.write(`${what}: ${error instanceof Error ? error.message : String(error)}\n`);
  const eventStore = startEventStore({ engine, db, toWallClockMs, onFlushError: warn("events: database write failed") });
  const recorder = createStatsRecorder({ engine, db, onFlushError: warn("stats: database write failed") });
  recorder.start();
  const maintain = () => {
    if (recorder.counts().buffered > 0) return;
    runMaintenance(db, Date.now()).catch(warn("stats: roll-up or retention failed"));
  };
  maintain();
  const maintenance = setInterval(maintain, 60_000);
  return async () => {
    clearInterval(maintenance);
    await recorder.stop(3_000);
    await eventStore.stop(2_000);
    const samples = recorder.counts();
    process.stdout.write(`recorded ${samples.written} samples, ${samples.dropped} dropped, ${eventStore.counts().written} events\n`);
    await Promise.race([db.close(), new Promise((resolve) => setTimeout(resolve, 5_000))]);
    rmSync(dataDir, { recursive: true, force: true });
  };
}

const beforeExit = hasFlag("record") ? await startRecording(engine) : undefined;
if (beforeExit === undefined) setInterval(() => engine.drainStats(), STATS_WINDOW_MS);

const proxy = createProxyServer({ engine, clock });
const address = await proxy.listen(0, "127.0.0.1");
announce(address.port, beforeExit);
