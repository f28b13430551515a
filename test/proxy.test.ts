/**
 * The proxy against real loopback backends, with the real engine: routing,
 * headers, JSON errors, retries (never a second POST), timeouts, breakers,
 * client aborts, bodies, and an instance SIGKILLed under load.
 */
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_BREAKER,
  DEFAULT_HEALTH,
  createEngine,
  instanceId,
  seededRng,
  serviceName,
  type Algorithm,
  type BreakerSettings,
  type Engine,
} from "../server/engine";
import { createProxyServer, type ProxyServer } from "../server/proxy";
import { answerJson, startBackend, startProcessBackend, type Backend } from "./support/backends";

/** Real time plus a skip, so breaker recovery can be fast-forwarded. */
const clock = {
  skippedMs: 0,
  now(): number {
    return performance.now() + this.skippedMs;
  },
};

interface Harness {
  engine: Engine;
  proxy: ProxyServer;
  url: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  clock.skippedMs = 0;
});

async function backends(n: number, prefix = "b"): Promise<Backend[]> {
  const started = await Promise.all(Array.from({ length: n }, (_, i) => startBackend(`${prefix}${i + 1}`)));
  cleanups.push(async () => {
    await Promise.all(started.map((b) => b.close()));
  });
  return started;
}

async function harness(
  instances: { id: string; port: number; weight?: number }[],
  options: {
    algorithm?: Algorithm;
    breaker?: Partial<BreakerSettings>;
    requestTimeoutMs?: number;
    maxBodyBytes?: number;
    clientHeaderTimeoutMs?: number;
  } = {},
): Promise<Harness> {
  const engine = createEngine({ clock, rng: seededRng(7) });
  const name = serviceName("orders");
  engine.upsertService({
    name,
    algorithm: options.algorithm ?? "round_robin",
    maxConnectionsPerInstance: 100,
    breaker: { ...DEFAULT_BREAKER, ...options.breaker },
    health: DEFAULT_HEALTH,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
  });
  for (const i of instances) {
    engine.upsertInstance(name, { id: instanceId(i.id), host: "127.0.0.1", port: i.port, weight: i.weight ?? 1, enabled: true, draining: false });
  }
  engine.upsertService({
    name: serviceName("empty"),
    algorithm: "round_robin",
    maxConnectionsPerInstance: 100,
    breaker: DEFAULT_BREAKER,
    health: DEFAULT_HEALTH,
    requestTimeoutMs: 30_000,
  });
  const proxy = createProxyServer({
    engine,
    clock,
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    ...(options.clientHeaderTimeoutMs === undefined ? {} : { clientHeaderTimeoutMs: options.clientHeaderTimeoutMs }),
  });
  const address = await proxy.listen(0, "127.0.0.1");
  cleanups.push(async () => {
    await proxy.drain(1_000);
  });
  return { engine, proxy, url: `http://127.0.0.1:${address.port}` };
}

/** A raw HTTP/1.1 request, so tests control hop-by-hop headers exactly. */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? "GET", headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/**
 * Writes `bytes` on a new connection and collects what comes back until the
 * proxy closes it (or `limitMs` passes): what a client that misbehaves sees.
 */
function rawExchange(url: string, bytes: string, limitMs: number): Promise<{ answer: string; closedAfterMs: number | undefined }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect(Number(port), "127.0.0.1", () => socket.write(bytes));
    let answer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ answer, closedAfterMs: undefined });
    }, limitMs);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ answer, closedAfterMs: performance.now() - started });
    });
  });
}

async function unusedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("routing and headers", () => {
  it("spreads GETs round robin and carries the request and instance ids both ways", async () => {
    const [b1, b2, b3] = await backends(3);
    const h = await harness([b1!, b2!, b3!].map((b) => ({ id: b.id, port: b.port })));
    const seen: string[] = [];
    for (let i = 0; i < 9; i++) {
      const res = await fetch(`${h.url}/orders/items/${i}?q=${i}`, { headers: { "x-request-id": `req-${i}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { url: string; requestId: string; instanceId: string };
      expect(body).toEqual({ url: `/items/${i}?q=${i}`, requestId: `req-${i}`, instanceId: res.headers.get("x-instance-id") });
      expect(res.headers.get("x-request-id")).toBe(`req-${i}`);
      seen.push(res.headers.get("x-instance-id")!);
    }
    expect(seen.slice(0, 3).sort()).toEqual(["b1", "b2", "b3"]);
    expect(seen.slice(3)).toEqual([...seen.slice(0, 3), ...seen.slice(0, 3)]);
    expect([b1!.received.length, b2!.received.length, b3!.received.length]).toEqual([3, 3, 3]);
  });

  it("generates a request id when the client sent none, and sets X-Forwarded-*", async () => {
    const [b1] = await backends(1);
    const h = await harness([{ id: b1!.id, port: b1!.port }]);
    const res = await rawRequest(`${h.url}/orders/x`, { headers: { host: "lb.example:8080", "x-forwarded-for": "198.51.100.9" } });
    expect(res.status).toBe(200);
    const got = b1!.received[0]!;
    expect(got.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers["x-request-id"]).toBe(got.headers["x-request-id"]);
    expect(got.headers["x-forwarded-for"]).toBe("198.51.100.9, 127.0.0.1");
    expect(got.headers["x-forwarded-proto"]).toBe("http");
    expect(got.headers["x-forwarded-host"]).toBe("lb.example:8080");
    expect(got.headers.host).toBe(`127.0.0.1:${b1!.port}`);
  });

  it("strips hop-by-hop headers in both directions", async () => {
    const [b1] = await backends(1);
    b1!.behaviour = (_req, res) => {
      res.writeHead(200, {
        "content-type": "text/plain",
        connection: "X-Upstream-Hop",
        "x-upstream-hop": "secret",
        "keep-alive": "timeout=99",
        "x-kept": "yes",
      });
      res.end("ok");
    };
    const h = await harness([{ id: b1!.id, port: b1!.port }]);
    const res = await rawRequest(`${h.url}/orders/hop`, {
      headers: { connection: "keep-alive, X-Client-Hop", "x-client-hop": "1", "keep-alive": "timeout=5", te: "trailers", "proxy-authorization": "Basic eA==", "x-end-to-end": "kept" },
    });
    expect(res.status).toBe(200);
    const names = b1!.received[0]!.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    for (const hop of ["x-client-hop", "keep-alive", "te", "proxy-authorization", "upgrade", "transfer-encoding"]) expect(names).not.toContain(hop);
    expect(b1!.received[0]!.headers["x-end-to-end"]).toBe("kept");
    expect(res.headers["x-upstream-hop"]).toBeUndefined();
    expect(res.headers["keep-alive"]).not.toBe("timeout=99");
    expect(res.headers["x-kept"]).toBe("yes");
    expect(res.headers["x-instance-id"]).toBe("b1");
  });
});

describe("the balancer's own errors are JSON", () => {
  it("404 for an unknown service, 503 with Retry-After when no instance is available", async () => {
    const h = await harness([]);
    const unknown = await fetch(`${h.url}/nope/x`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: "unknown_service", service: "nope" });
    const none = await fetch(`${h.url}/empty/x`);
    expect(none.status).toBe(503);
    expect(none.headers.get("retry-after")).toBe("1");
    expect(none.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await none.json()).toMatchObject({ error: "no_available_instance", service: "empty" });
  });

  it("413 for a declared body over the limit, without contacting an instance", async () => {
    const [b1] = await backends(1);
    const h = await harness([{ id: b1!.id, port: b1!.port }], { maxBodyBytes: 1024 });
    const res = await rawRequest(`${h.url}/orders/upload`, { method: "POST", body: randomBytes(4096), headers: { "content-type": "application/octet-stream" } });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: "payload_too_large" });
    expect(b1!.received).toHaveLength(0);
  });

  it("413 for a chunked body that grows over the limit", async () => {
    const [b1] = await backends(1);
    const h = await harness([{ id: b1!.id, port: b1!.port }], { maxBodyBytes: 100 * 1024 });
    const res = await fetch(`${h.url}/orders/upload`, {
      method: "POST",
      body: new Blob([randomBytes(300 * 1024)]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: "payload_too_large" });
    expect(b1!.received.filter((r) => r.bodyBytes === 300 * 1024)).toHaveLength(0);
  });
});

describe("clients that misbehave", () => {
  it("answers 408 and closes a connection whose request headers do not arrive within the client header timeout", async () => {
    const [b1] = await backends(1);
    const h = await harness([{ id: b1!.id, port: b1!.port }], { clientHeaderTimeoutMs: 300 });
    const { answer, closedAfterMs } = await rawExchange(h.url, "GET /orders/x HTTP/1.1\r\nHost: lb\r\nX-Slow: ", 5_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeDefined();
    expect(closedAfterMs).toBeGreaterThanOrEqual(250);
    expect(closedAfterMs).toBeLessThan(2_500); // the timeout plus the proxy's checking interval, not Node's default 30 s
    expect(b1!.received).toHaveLength(0);
  });

  it("answers 431 to request headers over the size limit and 400 to a request that is not HTTP, reaching no instance", async () => {
    const [b1] = await backends(1);
    const h = await harness([{ id: b1!.id, port: b1!.port }]);
    const huge = await rawExchange(h.url, `GET /orders/x HTTP/1.1\r\nHost: lb\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`, 5_000);
    expect(huge.answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(huge.closedAfterMs).toBeDefined();
    const garbage = await rawExchange(h.url, "HELLO THERE\r\n\r\n", 5_000);
    expect(garbage.answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(garbage.closedAfterMs).toBeDefined();
    expect(b1!.received).toHaveLength(0);
  });
});

describe("bodies", () => {
  it.each([
    ["small (buffered)", 10 * 1024],
    ["large (streamed)", 3 * 1024 * 1024],
  ])("forwards a %s POST body byte for byte, once", async (_label, size) => {
    const [b1] = await backends(1);
    const h = await harness([{ id: b1!.id, port: b1!.port }]);
    const body = randomBytes(size);
    const res = await rawRequest(`${h.url}/orders/upload`, { method: "POST", body });
    expect(res.status).toBe(200);
    expect(b1!.received).toHaveLength(1);
    expect(b1!.received[0]!.bodyBytes).toBe(size);
    expect(b1!.received[0]!.bodySha256).toBe(createHash("sha256").update(body).digest("hex"));
  });
});

describe("backpressure", () => {
  it("streams a large answer to a slow client intact, pausing the instance meanwhile", async () => {
    const [big] = await backends(1);
    const payload = randomBytes(8 * 1024 * 1024);
    big!.behaviour = (_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": payload.length });
      res.end(payload);
    };
    const h = await harness([{ id: big!.id, port: big!.port }]);
    const received = await new Promise<Buffer>((resolve, reject) => {
      http
        .get(`${h.url}/orders/big`, (res) => {
          const chunks: Buffer[] = [];
          res.pause(); // a slow client: nothing read for a while
          setTimeout(() => {
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve(Buffer.concat(chunks)));
            res.resume();
          }, 300);
        })
        .on("error", reject);
    });
    expect(received.length).toBe(payload.length);
    expect(createHash("sha256").update(received).digest("hex")).toBe(createHash("sha256").update(payload).digest("hex"));
    expect(h.proxy.inFlight()).toBe(0);
  });
});

describe("failures", () => {
  it("retries a refused connection on another instance, POST included (nothing was sent)", async () => {
    const [b1] = await backends(1);
    const dead = await unusedPort();
    const h = await harness([{ id: "dead", port: dead }, { id: b1!.id, port: b1!.port }]);
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${h.url}/orders/p`, { method: i % 2 ? "POST" : "GET", body: i % 2 ? "x" : undefined });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-instance-id")).toBe("b1");
    }
    expect(b1!.received).toHaveLength(4);
    const dead1 = h.engine.getServiceSnapshot("orders")!.instances.find((i) => i.id === "dead")!;
    expect(dead1.failedRequests).toBeGreaterThan(0);
  });

  it("never sends a POST twice: a reset after the request was sent is a 502; a GET is retried once", async () => {
    const [bad, good] = await backends(2);
    bad!.behaviour = (req) => req.socket.destroy(); // receives the request, then dies
    const h = await harness([{ id: bad!.id, port: bad!.port }, { id: good!.id, port: good!.port }], { breaker: { failureThreshold: 100 } });
    let postsOk = 0;
    let posts502 = 0;
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${h.url}/orders/pay`, { method: "POST", body: `payment-${i}`, headers: { "x-request-id": `pay-${i}` } });
      if (res.status === 200) postsOk++;
      if (res.status === 502) {
        posts502++;
        expect(await res.json()).toMatchObject({ error: "bad_gateway", instance_id: "b1" });
      }
    }
    expect(postsOk + posts502).toBe(6);
    expect(posts502).toBe(3); // round robin: every other POST went to the failing instance
    // Each payment reached exactly one backend exactly once.
    const ids = [...bad!.received, ...good!.received].map((r) => r.headers["x-request-id"]);
    expect(ids.sort()).toEqual(["pay-0", "pay-1", "pay-2", "pay-3", "pay-4", "pay-5"]);

    bad!.received.length = 0;
    good!.received.length = 0;
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${h.url}/orders/read`, { headers: { "x-request-id": `get-${i}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-instance-id")).toBe("b2");
    }
    expect(good!.received).toHaveLength(4);
    expect(bad!.received.length).toBeLessThanOrEqual(4);
  });

  it("answers 504 when an instance hangs past the timeout, and its breaker opens", async () => {
    const [hang] = await backends(1);
    hang!.behaviour = () => undefined; // never answers
    const h = await harness([{ id: hang!.id, port: hang!.port }], { requestTimeoutMs: 300, breaker: { failureThreshold: 2 } });
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      const res = await fetch(`${h.url}/orders/slow`);
      expect(res.status).toBe(504);
      expect(await res.json()).toMatchObject({ error: "gateway_timeout", instance_id: "b1" });
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    }
    const instance = h.engine.getServiceSnapshot("orders")!.instances[0]!;
    expect(instance.breaker.state).toBe("open");
    const res = await fetch(`${h.url}/orders/slow`);
    expect(res.status).toBe(503);
    expect(hang!.received).toHaveLength(2);
  });

  it("aborts the upstream request when the client goes away, without charging the instance", async () => {
    const [slow] = await backends(1);
    slow!.behaviour = (_req, res) => {
      setTimeout(() => {
        if (!res.destroyed) answerJson()(_req, res, Buffer.alloc(0));
      }, 5_000);
    };
    const h = await harness([{ id: slow!.id, port: slow!.port }]);
    const controller = new AbortController();
    const pending = fetch(`${h.url}/orders/slow`, { signal: controller.signal, headers: { "x-request-id": "abort-1" } });
    const deadline = Date.now() + 3_000;
    while (slow!.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await expect(pending).rejects.toThrow();
    while (slow!.aborted.length === 0 && Date.now() < deadline + 2_000) await new Promise((r) => setTimeout(r, 10));
    expect(slow!.aborted).toEqual(["abort-1"]);
    const instance = h.engine.getServiceSnapshot("orders")!.instances[0]!;
    expect(instance.failedRequests).toBe(0);
    expect(instance.breaker.consecutiveFailures).toBe(0);
    expect(instance.activeConnections).toBe(0);
    expect(h.proxy.inFlight()).toBe(0);
  });
});

describe("an instance killed under load", () => {
  it("costs at most failure_threshold client errors, none once its breaker is open, and gets traffic back after it recovers", async () => {
    const killed = await startProcessBackend("k1");
    const others = await Promise.all([startProcessBackend("k2"), startProcessBackend("k3")]);
    cleanups.push(async () => {
      await Promise.all([killed, ...others].map((b) => b.kill()));
    });
    const failureThreshold = 5;
    const h = await harness(
      [
        { id: "k1", port: killed.port },
        { id: "k2", port: others[0].port },
        { id: "k3", port: others[1].port },
      ],
      { breaker: { failureThreshold, recoveryTimeoutMs: 1_000, successThreshold: 2 } },
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    cleanups.push(() => {
      agent.destroy();
      return Promise.resolve();
    });
    const get = () =>
      new Promise<{ status: number; instance: string }>((resolve) => {
        const req = http.get(`${h.url}/orders/load`, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0, instance: String(res.headers["x-instance-id"]) }));
        });
        req.on("error", () => resolve({ status: 0, instance: "" }));
      });
    const load = async (requests: number) => {
      const results: { status: number; instance: string }[] = [];
      const workers = Array.from({ length: 8 }, async () => {
        while (results.length < requests) results.push(await get());
      });
      await Promise.all(workers);
      return results;
    };

    const before = await load(300);
    expect(before.every((r) => r.status === 200)).toBe(true);
    expect(new Set(before.map((r) => r.instance))).toEqual(new Set(["k1", "k2", "k3"]));

    // Kill k1 while traffic flows.
    const during = load(600);
    await new Promise((r) => setTimeout(r, 50));
    await killed.kill();
    const results = await during;
    const errors = results.filter((r) => r.status !== 200);
    expect(errors.length).toBeLessThanOrEqual(failureThreshold);
    const snapshot = h.engine.getServiceSnapshot("orders")!;
    expect(snapshot.instances.find((i) => i.id === "k1")!.breaker.state).toBe("open");

    const afterOpen = await load(300);
    expect(afterOpen.filter((r) => r.status !== 200)).toEqual([]);
    expect(afterOpen.some((r) => r.instance === "k1")).toBe(false);

    // k1 comes back on the same port; after the recovery timeout its breaker half-opens and closes.
    const revived = await startProcessBackend("k1", killed.port);
    cleanups.push(() => revived.kill());
    clock.skippedMs += 1_100;
    const recovered = await load(300);
    expect(recovered.filter((r) => r.status !== 200)).toEqual([]);
    expect(recovered.filter((r) => r.instance === "k1").length).toBeGreaterThan(50);
    expect(h.engine.getServiceSnapshot("orders")!.instances.find((i) => i.id === "k1")!.breaker.state).toBe("closed");
  });
});

describe("routing errors and upstream pools", () => {
  it("reports the proxy's own 502/503/504 answers as routing_error events", async () => {
    const [hang] = await backends(1);
    hang!.behaviour = () => undefined;
    const dead = await unusedPort();
    const h = await harness([{ id: "hang", port: hang!.port }, { id: "dead", port: dead }], {
      requestTimeoutMs: 200,
      breaker: { failureThreshold: 100 },
    });
    const events: { kind: string; status: number; instanceId: string | null; requestId: string; count: number }[] = [];
    h.engine.on("routing_error", (e) => events.push(e));
    const timeout = await fetch(`${h.url}/orders/a`, { headers: { "x-request-id": "t-1" } }); // hang → 504
    expect(timeout.status).toBe(504);
    const none = await fetch(`${h.url}/empty/a`, { headers: { "x-request-id": "n-1" } });
    expect(none.status).toBe(503);
    h.engine.removeInstance(serviceName("orders"), instanceId("hang"));
    const refused = await fetch(`${h.url}/orders/a`, { headers: { "x-request-id": "r-1" } }); // only "dead" left → 502
    expect(refused.status).toBe(502);
    expect(events).toEqual([
      expect.objectContaining({ kind: "gateway_timeout", status: 504, instanceId: "hang", requestId: "t-1", count: 1 }),
      expect.objectContaining({ kind: "no_available_instance", status: 503, instanceId: null, requestId: "n-1", count: 1 }),
      expect.objectContaining({ kind: "bad_gateway", status: 502, instanceId: "dead", requestId: "r-1", count: 1 }),
    ]);
  });

  it("closes an origin's pool once no instance uses it", async () => {
    const [b1, b2] = await backends(2);
    const h = await harness([{ id: b1!.id, port: b1!.port }, { id: b2!.id, port: b2!.port }]);
    for (let i = 0; i < 4; i++) expect((await fetch(`${h.url}/orders/x`)).status).toBe(200);
    expect(h.proxy.upstreamOrigins().sort()).toEqual([`127.0.0.1:${b1!.port}`, `127.0.0.1:${b2!.port}`].sort());
    h.engine.removeInstance(serviceName("orders"), instanceId(b1!.id));
    expect(h.proxy.upstreamOrigins()).toEqual([`127.0.0.1:${b2!.port}`]);
    expect((await fetch(`${h.url}/orders/x`)).headers.get("x-instance-id")).toBe(b2!.id);
  });
});
