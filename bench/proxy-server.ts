/**
 * The `this-proxy` front: the real engine + createProxyServer, configured as
 * server/main.ts does, with the two backends as instances of service "bench"
 * (round_robin) and every per-request feature on: selection with eligibility,
 * breakers (DEFAULT_BREAKER), stats windows (drained every second, as the
 * stats ring would), request ids (wrk sends none, so each one is generated),
 * retry budget, X-Forwarded-*. The engine is ticked every 250 ms as in main.ts.
 *
 * Run by bench/run.ts: `tsx bench/proxy-server.ts <port> <port>`; clients call `/bench/...`.
 */
import { DEFAULT_BREAKER, DEFAULT_HEALTH, DEFAULT_REQUEST_TIMEOUT_MS, createEngine, instanceId, seededRng, serviceName } from "../server/engine";
import { createProxyServer } from "../server/proxy";
import { announce, backendPorts } from "./lib/child-server";

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
setInterval(() => engine.drainStats(), STATS_WINDOW_MS);

const proxy = createProxyServer({ engine, clock });
const address = await proxy.listen(0, "127.0.0.1");
announce(address.port);
