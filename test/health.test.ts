/**
 * The active health checker against real loopback backends and the real engine:
 * first check at once, rise/fall with reasons, timeouts without overlap, TCP,
 * the method order, removal mid-check, new and re-addressed instances, settings
 * changes, the recovery interval, checkNow and a clean stop().
 * Randomness is injected (random = 0.5: no jitter, first check after 10 ms).
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import net, { type AddressInfo, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_BREAKER,
  DEFAULT_HEALTH,
  EngineError,
  createEngine,
  instanceId,
  seededRng,
  serviceName,
  type Engine,
  type EngineEvent,
  type HealthSettings,
  type HealthStatus,
} from "../server/engine";
import { HEALTH_USER_AGENT, createHealthChecker, type HealthChecker, type HealthCheckerOptions } from "../server/health";

const SERVICE = serviceName("orders");

// ── fixtures ─────────────────────────────────────────────────────────────────

type Answer = number | "hang";

interface Backend {
  readonly port: number;
  /** Status to answer with, or "hang" (never answer). */
  answer: Answer;
  /** Requests received (all paths). */
  readonly requests: { url: string; userAgent: string | undefined; status: Answer }[];
  /** Requests being handled right now, and the most at once. */
  readonly concurrency: { current: number; max: number };
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => {
  process.on("unhandledRejection", onUnhandled);
});
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
});

async function startBackend(answer: Answer = 200): Promise<Backend> {
  const sockets = new Set<Socket>();
  const requests: Backend["requests"] = [];
  const concurrency = { current: 0, max: 0 };
  const backend: Backend = {
    port: 0,
    answer,
    requests,
    concurrency,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const status = backend.answer;
    requests.push({ url: req.url ?? "", userAgent: req.headers["user-agent"], status });
    concurrency.current++;
    concurrency.max = Math.max(concurrency.max, concurrency.current);
    res.once("close", () => {
      concurrency.current--;
    });
    if (status === "hang") return;
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(status >= 200 && status < 300 ? "ok" : "not ok");
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  (backend as { port: number }).port = (server.address() as AddressInfo).port;
  cleanups.push(() => backend.close());
  return backend;
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => {
    resolve();
  }));
  return port;
}

/** A TCP listener that accepts and counts connections. */
async function tcpListener(): Promise<{ port: number; accepted: () => number }> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  );
  return { port: (server.address() as AddressInfo).port, accepted: () => accepted };
}

interface Harness {
  engine: Engine;
  checker: HealthChecker;
  events: EngineEvent[];
  healthChanges: Extract<EngineEvent, { type: "health_changed" }>[];
  health(id: string): HealthStatus | undefined;
  reason(id: string): string | undefined;
}

interface HarnessOptions extends Partial<Omit<HealthCheckerOptions, "engine">> {
  health?: Partial<HealthSettings>;
  instances?: { id: string; port: number }[];
  /** Wraps the engine handed to the checker (the test keeps the real one). */
  wrap?: (engine: Engine) => Engine;
  /** Do not call start(). */
  idle?: boolean;
}

function harness(options: HarnessOptions = {}): Harness {
  const engine = createEngine({ clock: { now: () => performance.now() }, rng: seededRng(1) });
  engine.upsertService({
    name: SERVICE,
    algorithm: "round_robin",
    maxConnectionsPerInstance: 100,
    // A high breaker threshold keeps the breaker out of these tests: only health decides availability.
    breaker: { ...DEFAULT_BREAKER, failureThreshold: 1_000 },
    health: { ...DEFAULT_HEALTH, intervalMs: 150, timeoutMs: 150, ...options.health },
    requestTimeoutMs: 30_000,
  });
  for (const i of options.instances ?? []) addInstance(engine, i.id, i.port);
  const events: EngineEvent[] = [];
  engine.on("*", (e) => events.push(e));
  const { health: _health, instances: _instances, wrap, idle, ...checkerOptions } = options;
  const checker = createHealthChecker({
    random: () => 0.5,
    ...checkerOptions,
    engine: wrap === undefined ? engine : wrap(engine),
  });
  cleanups.push(() => checker.stop());
  if (idle !== true) checker.start();
  const instance = (id: string) => engine.getServiceSnapshot(SERVICE)?.instances.find((i) => i.id === id);
  return {
    engine,
    checker,
    events,
    get healthChanges() {
      return events.filter((e): e is Extract<EngineEvent, { type: "health_changed" }> => e.type === "health_changed");
    },
    health: (id) => instance(id)?.health,
    reason: (id) => instance(id)?.lastHealthReason,
  };
}

function addInstance(engine: Engine, id: string, port: number, host = "127.0.0.1"): void {
  engine.upsertInstance(SERVICE, { id: instanceId(id), host, port, weight: 1, enabled: true, draining: false });
}

/** Polls until `predicate` holds; fails after `timeoutMs` (bounded, ≤ 5 s). */
async function waitFor(what: string, predicate: () => boolean, timeoutMs = 3_000): Promise<number> {
  const started = performance.now();
  while (!predicate()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
  return performance.now() - started;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ── tests ────────────────────────────────────────────────────────────────────

describe("health checker: scheduling", () => {
  it("checks every instance at once on start (not after an interval), with the path and user-agent", async () => {
    const a = await startBackend(200);
    const b = await startBackend(200);
    const startedAt = performance.now();
    const h = harness({
      health: { intervalMs: 5_000, path: "/ready" },
      instances: [
        { id: "a", port: a.port },
        { id: "b", port: b.port },
      ],
    });
    expect(h.health("a")).toBe("unknown");
    await waitFor("both healthy", () => h.health("a") === "healthy" && h.health("b") === "healthy");
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect(a.requests).toEqual([{ url: "/ready", userAgent: HEALTH_USER_AGENT, status: 200 }]);
    expect(b.requests).toHaveLength(1);
    expect(h.reason("a")).toBe("http 200");
    expect(h.healthChanges.map((e) => [e.instanceId, e.from, e.to])).toEqual(
      expect.arrayContaining([
        ["a", "unknown", "healthy"],
        ["b", "unknown", "healthy"],
      ]),
    );
  });

  it("checks an instance added after start at once", async () => {
    const a = await startBackend(200);
    const h = harness({ health: { intervalMs: 5_000 } });
    await sleep(50);
    addInstance(h.engine, "late", a.port);
    const took = await waitFor("late instance healthy", () => h.health("late") === "healthy");
    expect(took).toBeLessThan(1_000);
    expect(a.requests).toHaveLength(1);
  });

  it("applies changed health settings from the next check (a shorter interval is pulled in)", async () => {
    const a = await startBackend(200);
    const h = harness({ health: { intervalMs: 5_000 }, instances: [{ id: "a", port: a.port }] });
    await waitFor("first check", () => a.requests.length === 1);
    await sleep(30);
    h.engine.upsertService({
      name: SERVICE,
      algorithm: "round_robin",
      maxConnectionsPerInstance: 100,
      breaker: { ...DEFAULT_BREAKER, failureThreshold: 1_000 },
      health: { ...DEFAULT_HEALTH, intervalMs: 100, timeoutMs: 150, path: "/v2/health" },
      requestTimeoutMs: 30_000,
    });
    await waitFor("checks of the new path", () => a.requests.filter((r) => r.url === "/v2/health").length >= 2, 1_500);
    expect(a.requests[0]?.url).toBe("/health");
  });

  it("checks a re-addressed instance at its new address at once", async () => {
    const before = await startBackend(200);
    const after = await startBackend(200);
    const h = harness({ health: { intervalMs: 5_000 }, instances: [{ id: "a", port: before.port }] });
    await waitFor("first check", () => before.requests.length === 1);
    addInstance(h.engine, "a", after.port);
    const took = await waitFor("check of the new address", () => after.requests.length === 1);
    expect(took).toBeLessThan(1_000);
    expect(before.requests).toHaveLength(1);
  });

  it("checkNow runs a round at once; unknown names are NOT_FOUND", async () => {
    const a = await startBackend(200);
    const h = harness({ health: { intervalMs: 5_000 }, instances: [{ id: "a", port: a.port }] });
    await waitFor("first check", () => a.requests.length === 1 && h.checker.inFlight() === 0);
    await h.checker.checkNow(SERVICE);
    expect(a.requests).toHaveLength(2);
    await h.checker.checkNow(SERVICE, "a");
    expect(a.requests).toHaveLength(3);
    await expect(h.checker.checkNow("nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(h.checker.checkNow(SERVICE, "nope")).rejects.toBeInstanceOf(EngineError);
  });

  it("rejects bad options with a RangeError naming the value", () => {
    const engine = createEngine({ clock: { now: () => performance.now() }, rng: seededRng(1) });
    expect(() => createHealthChecker({ engine, jitter: 0.9 })).toThrow(/jitter.*0\.9/);
    expect(() => createHealthChecker({ engine, recoveryIntervalMs: 0 })).toThrow(RangeError);
  });
});

describe("health checker: HTTP verdicts", () => {
  it("turns unhealthy after unhealthyThreshold 503s and healthy again after healthyThreshold passes", async () => {
    const a = await startBackend(200);
    const h = harness({ health: { intervalMs: 100, healthyThreshold: 2, unhealthyThreshold: 3 }, instances: [{ id: "a", port: a.port }] });
    await waitFor("healthy", () => h.health("a") === "healthy");
    a.answer = 503;
    const answered = (status: Answer) => a.requests.filter((r) => r.status === status).length;
    let at503 = -1;
    h.engine.on("health_changed", (e) => {
      if (e.to === "unhealthy") at503 = answered(503);
    });
    await waitFor("unhealthy", () => h.health("a") === "unhealthy");
    expect(at503).toBe(3);
    const down = h.healthChanges.at(-1);
    expect(down).toMatchObject({ from: "healthy", to: "unhealthy" });
    expect(down?.reason).toContain("3 consecutive checks failed");
    expect(down?.reason).toContain("http 503");
    expect(h.reason("a")).toBe("http 503");

    let at200 = -1;
    const before200 = answered(200);
    h.engine.on("health_changed", (e) => {
      if (e.to === "healthy") at200 = answered(200) - before200;
    });
    a.answer = 200;
    await waitFor("healthy again", () => h.health("a") === "healthy");
    expect(at200).toBe(2);
    expect(h.healthChanges.at(-1)?.reason).toContain("2 consecutive checks passed");
  });

  it("fails a hanging backend with a timeout reason, and never overlaps checks of one instance", async () => {
    const a = await startBackend("hang");
    const h = harness({ health: { intervalMs: 100, timeoutMs: 150, unhealthyThreshold: 3 }, instances: [{ id: "a", port: a.port }] });
    await waitFor("unhealthy", () => h.health("a") === "unhealthy");
    expect(h.reason("a")).toBe("http timeout after 150 ms");
    expect(h.healthChanges.at(-1)?.reason).toContain("http timeout after 150 ms");
    await waitFor("two more checks", () => a.requests.length >= 5);
    expect(a.concurrency.max).toBe(1);
    expect(h.checker.inFlight()).toBeLessThanOrEqual(1);
  });
});

describe("health checker: methods", () => {
  it("tcp: a listening port passes, a closed one fails with ECONNREFUSED", async () => {
    const listener = await tcpListener();
    const dead = await closedPort();
    const h = harness({
      health: { methods: ["tcp"], unhealthyThreshold: 1 },
      instances: [
        { id: "up", port: listener.port },
        { id: "down", port: dead },
      ],
    });
    await waitFor("verdicts", () => h.health("up") === "healthy" && h.health("down") === "unhealthy");
    expect(h.reason("up")).toBe("tcp connected");
    expect(h.reason("down")).toBe("tcp ECONNREFUSED");
    expect(listener.accepted()).toBeGreaterThanOrEqual(1);
  });

  it.each([
    {
      name: "http fails (404), tcp passes → passed",
      methods: ["http", "tcp"] as const,
      http: 404,
      heartbeat: "unknown" as const,
      expected: "healthy" as const,
      reason: "tcp connected (after http 404)",
    },
    {
      name: "mqtt stale, http 200 → passed",
      methods: ["mqtt", "http"] as const,
      http: 200,
      heartbeat: "stale" as const,
      expected: "healthy" as const,
      reason: "http 200 (after mqtt heartbeat stale)",
    },
    {
      name: "http 503, mqtt unknown → failed on http alone",
      methods: ["http", "mqtt"] as const,
      http: 503,
      heartbeat: "unknown" as const,
      expected: "unhealthy" as const,
      reason: "http 503",
    },
    {
      name: "mqtt alive decides before a failing http",
      methods: ["mqtt", "http"] as const,
      http: 500,
      heartbeat: "alive" as const,
      expected: "healthy" as const,
      reason: "mqtt heartbeat alive",
    },
  ])("method order: $name", async ({ methods, http: status, heartbeat, expected, reason }) => {
    const a = await startBackend(status);
    const calls: string[] = [];
    const h = harness({
      health: { methods, unhealthyThreshold: 1, intervalMs: 100 },
      instances: [{ id: "a", port: a.port }],
      heartbeatStatus: (service, id) => {
        calls.push(`${service}/${id}`);
        return heartbeat;
      },
    });
    await waitFor(expected, () => h.health("a") === expected);
    // Several more checks: with unhealthyThreshold 1 a single wrong verdict would flip it.
    await waitFor("three checks", () => Math.max(a.requests.length, calls.length) >= 3);
    expect(h.health("a")).toBe(expected);
    expect(h.reason("a")).toBe(reason);
    expect(h.healthChanges).toHaveLength(1);
    if (methods[0] === "mqtt") expect(calls[0]).toBe("orders/a");
    if (heartbeat === "alive") expect(a.requests).toHaveLength(0);
  });

  it("all methods failing names each failure", async () => {
    const dead = await closedPort();
    const h = harness({ health: { methods: ["http", "tcp"], unhealthyThreshold: 1 }, instances: [{ id: "a", port: dead }] });
    await waitFor("unhealthy", () => h.health("a") === "unhealthy");
    expect(h.reason("a")).toBe("http ECONNREFUSED; tcp ECONNREFUSED");
  });

  it("mqtt only with heartbeat unknown records nothing (health stays unknown)", async () => {
    let calls = 0;
    const h = harness({
      health: { methods: ["mqtt"], intervalMs: 100, unhealthyThreshold: 1 },
      instances: [{ id: "a", port: await closedPort() }],
      heartbeatStatus: () => {
        calls++;
        return "unknown";
      },
    });
    await waitFor("three rounds", () => calls >= 3);
    await h.checker.checkNow(SERVICE, "a");
    expect(h.health("a")).toBe("unknown");
    expect(h.reason("a")).toBeUndefined();
    expect(h.healthChanges).toHaveLength(0);
  });

  it("a throwing heartbeatStatus is logged and counts as no verdict", async () => {
    const warnings: string[] = [];
    const h = harness({
      health: { methods: ["mqtt", "tcp"], unhealthyThreshold: 1 },
      instances: [{ id: "a", port: (await tcpListener()).port }],
      heartbeatStatus: () => {
        throw new Error("boom");
      },
      log: { warn: (_obj, msg) => warnings.push(msg), debug: () => undefined },
    });
    await waitFor("healthy through tcp", () => h.health("a") === "healthy");
    expect(h.reason("a")).toBe("tcp connected");
    expect(warnings.some((w) => w.includes("heartbeatStatus"))).toBe(true);
  });
});

describe("health checker: removal, recovery, stop", () => {
  it("an instance removed mid-check is neither recorded nor checked again", async () => {
    const a = await startBackend("hang");
    const h = harness({ health: { intervalMs: 100, timeoutMs: 2_000, unhealthyThreshold: 1 }, instances: [{ id: "a", port: a.port }] });
    await waitFor("check in flight", () => a.requests.length === 1 && h.checker.inFlight() === 1);
    h.engine.removeInstance(SERVICE, instanceId("a"));
    await waitFor("in-flight check settled", () => h.checker.inFlight() === 0, 1_000);
    await waitFor("backend saw the abort", () => a.concurrency.current === 0, 1_000);
    await sleep(300);
    expect(a.requests).toHaveLength(1);
    expect(h.healthChanges).toHaveLength(0);
    expect(h.engine.getServiceSnapshot(SERVICE)?.instances).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it("a result for an instance the engine no longer has is dropped (NOT_FOUND), and checking stops", async () => {
    const a = await startBackend(200);
    const debug: string[] = [];
    // The checker does not hear instance_unregistered, so its next result meets NOT_FOUND.
    const deaf = (engine: Engine): Engine =>
      new Proxy(engine, {
        get(target, prop, receiver) {
          if (prop === "on") {
            return (type: Parameters<Engine["on"]>[0], listener: (e: EngineEvent) => void) =>
              type === "instance_unregistered" ? () => undefined : target.on(type, listener);
          }
          const value: unknown = Reflect.get(target, prop, receiver);
          return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
    const h = harness({
      health: { intervalMs: 100 },
      instances: [{ id: "a", port: a.port }],
      wrap: deaf,
      log: { warn: () => undefined, debug: (_obj, msg) => debug.push(msg) },
    });
    await waitFor("healthy", () => h.health("a") === "healthy");
    h.engine.removeInstance(SERVICE, instanceId("a"));
    await waitFor("NOT_FOUND dropped", () => debug.some((m) => m.includes("instance gone")));
    const seen = a.requests.length;
    await sleep(300);
    expect(a.requests).toHaveLength(seen);
    expect(h.checker.inFlight()).toBe(0);
    expect(unhandled).toEqual([]);
  });

  it("a removed service stops being checked", async () => {
    const a = await startBackend(200);
    const h = harness({ health: { intervalMs: 100 }, instances: [{ id: "a", port: a.port }] });
    await waitFor("two checks", () => a.requests.length >= 2);
    h.engine.removeService(SERVICE);
    await waitFor("in flight 0", () => h.checker.inFlight() === 0, 1_000);
    const seen = a.requests.length;
    await sleep(300);
    expect(a.requests).toHaveLength(seen);
  });

  it("probes a service with no available instance at the recovery interval, and slows down once one recovers", async () => {
    const a = await startBackend(503);
    const h = harness({
      health: { intervalMs: 1_000, unhealthyThreshold: 1, healthyThreshold: 1 },
      recoveryIntervalMs: 100,
      instances: [{ id: "a", port: a.port }],
    });
    await waitFor("unhealthy", () => h.health("a") === "unhealthy");
    expect(h.engine.getServiceSnapshot(SERVICE)?.availableCount).toBe(0);
    const from = a.requests.length;
    await sleep(700);
    const fast = a.requests.length - from;
    expect(fast).toBeGreaterThanOrEqual(4);
    expect(fast).toBeLessThanOrEqual(8);

    a.answer = 200;
    await waitFor("healthy", () => h.health("a") === "healthy");
    await sleep(50);
    const after = a.requests.length;
    await sleep(600);
    expect(a.requests.length - after).toBeLessThanOrEqual(1);
  });

  it("the recovery interval never makes probing slower than the service's own interval", async () => {
    const a = await startBackend(503);
    const h = harness({
      health: { intervalMs: 100, unhealthyThreshold: 1 },
      recoveryIntervalMs: 5_000,
      instances: [{ id: "a", port: a.port }],
    });
    await waitFor("unhealthy", () => h.health("a") === "unhealthy");
    const from = a.requests.length;
    await waitFor("three more checks", () => a.requests.length - from >= 3, 1_500);
  });

  it("stop() aborts in-flight checks and leaves no timer behind", async () => {
    const timeoutsBefore = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const hanging = await startBackend("hang");
    const ok = await startBackend(200);
    const h = harness({
      health: { intervalMs: 100, timeoutMs: 2_000 },
      instances: [
        { id: "hanging", port: hanging.port },
        { id: "ok", port: ok.port },
      ],
    });
    await waitFor("a check in flight and one done", () => hanging.requests.length === 1 && ok.requests.length >= 2);
    const stopStartedAt = performance.now();
    await h.checker.stop();
    // The hanging check (2 s timeout) was aborted, not waited out.
    expect(performance.now() - stopStartedAt).toBeLessThan(500);
    expect(h.checker.inFlight()).toBe(0);
    const seen = hanging.requests.length + ok.requests.length;
    await waitFor("backend saw the abort", () => hanging.concurrency.current === 0, 1_000);
    await sleep(300);
    expect(hanging.requests.length + ok.requests.length).toBe(seen);
    const timeoutsAfter = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    expect(timeoutsAfter).toBeLessThanOrEqual(timeoutsBefore);
    expect(unhandled).toEqual([]);
  });
});

describe("health checker: lifecycle", () => {
  it("can be started again after stop(), and checkNow needs it running", async () => {
    const a = await startBackend(200);
    const h = harness({ health: { intervalMs: 5_000 }, instances: [{ id: "a", port: a.port }] });
    await waitFor("first check", () => a.requests.length === 1 && h.checker.inFlight() === 0);
    await h.checker.stop();
    await expect(h.checker.checkNow(SERVICE)).rejects.toMatchObject({ code: "CONFLICT" });
    h.checker.start();
    await waitFor("checked again at once", () => a.requests.length === 2, 1_000);
  });
});
