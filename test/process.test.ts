/**
 * The product as a process, started like `npm start`: configuration errors,
 * readiness, the proxy's 404, a clean SIGTERM that lets a slow proxied request
 * finish, and data that survives a restart. On the embedded defaults, and on
 * the environment's PostgreSQL and Mosquitto.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../server/db";
import { createTestDatabase, externalUrl, type TestDatabase } from "./support/external";
import { runProduct, signIn, type ProductProcess } from "./support/process";

describe("configuration errors", () => {
  it.each([
    ["PORT", { PORT: "abc" }],
    ["DATABASE_URL", { DATABASE_URL: "postgres//missing-colon" }],
  ])("a bad %s stops the start with one line naming it, no stack trace", async (variable, env) => {
    const product = await runProduct(env);
    const code = await product.exited();
    expect(code).not.toBe(0);
    const lines = product.output().trim().split("\n");
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^invalid configuration: ${variable}\\b`))]);
    expect(product.output()).not.toMatch(/\n\s+at /);
  });
});

describe("readiness while a dependency is missing", () => {
  it("answers /healthz 200 and /readyz 503 with a reason, then exits non-zero when the broker never answers", async () => {
    const product = await runProduct({ MQTT_URL: "mqtt://127.0.0.1:1", DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "alicia-ready-")) });
    await product.waitForOutput(/engine: \d+ service/);
    const health = await fetch(`${product.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${product.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "not_ready", error: "not_ready", reason: "starting: MQTT" });
    expect(await product.exited()).toBe(1);
    expect(product.output()).toContain("start failed: could not connect to the MQTT broker at mqtt://127.0.0.1:1");
  });
});

/** A backend that answers after `delayMs`, counting requests. */
async function slowBackend(delayMs: number): Promise<{ port: number; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ path: req.url, requestId: req.headers["x-request-id"], instanceId: req.headers["x-instance-id"] }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Variant {
  name: string;
  /** Environment for the product and a way to seed its database before it starts. */
  prepare(): Promise<{ env: Record<string, string>; dbConfig: Parameters<typeof createDb>[0]; cleanup: () => Promise<void> }>;
  database: RegExp;
  broker: RegExp;
}

const pgUrl = externalUrl("DATABASE_URL");
const mqttUrl = externalUrl("MQTT_URL");

const variants: Variant[] = [
  {
    name: "embedded database and broker",
    prepare() {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), "alicia-process-"));
      return Promise.resolve({
        env: { DATA_DIR: dataDir },
        dbConfig: { kind: "embedded", dataDir },
        cleanup: () => {
          rmSync(dataDir, { recursive: true, force: true });
          return Promise.resolve();
        },
      });
    },
    database: /database: embedded PGlite in .*pglite/,
    broker: /MQTT: embedded broker listening on mqtt:\/\/127\.0\.0\.1:\d+/,
  },
  ...(pgUrl && mqttUrl
    ? [
        {
          name: "PostgreSQL and Mosquitto",
          async prepare() {
            const db: TestDatabase = await createTestDatabase(pgUrl);
            return {
              env: { DATABASE_URL: db.url, MQTT_URL: mqttUrl },
              dbConfig: { kind: "postgres" as const, url: db.url },
              cleanup: () => db.drop(),
            };
          },
          database: /database: PostgreSQL postgresql:\/\//,
          broker: /MQTT: connected to mqtt:\/\//,
        },
      ]
    : []),
];

describe.each(variants)("the product on $name", (variant) => {
  let backend: Awaited<ReturnType<typeof slowBackend>>;
  let prepared: Awaited<ReturnType<Variant["prepare"]>>;
  let product: ProductProcess | undefined;

  beforeAll(async () => {
    backend = await slowBackend(1_500);
    prepared = await variant.prepare();
    // Seed the database before the product starts: it loads its engine from it.
    const db = await createDb(prepared.dbConfig);
    await db.prisma.service.create({
      data: { name: "slow", instances: { create: [{ instanceId: "slow-1", host: "127.0.0.1", port: backend.port }] } },
    });
    await db.close();
  });
  afterAll(async () => {
    await product?.stop("SIGKILL");
    await backend.close();
    await prepared.cleanup();
  });

  it("starts, says where each face listens, and serves /healthz, /readyz, /metrics and the proxy's 404", async () => {
    product = await runProduct(prepared.env);
    await product.waitReady();
    const out = product.output();
    expect(out).toMatch(variant.database);
    expect(out).toMatch(/migrations: 0 applied, \d+ already applied/);
    expect(out).toMatch(variant.broker);
    expect(out).toMatch(/proxy: listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/engine: 1 service\(s\) loaded/);

    expect((await fetch(`${product.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${product.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });

    const metrics = await fetch(`${product.baseUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("alicia_lb_proxy_in_flight_requests 0");

    // The admin API (compiled by Next) sees the runtime main.ts built: the same engine and database.
    expect((await fetch(`${product.baseUrl}/api/trpc/system.status`)).status).toBe(401); // anonymous
    const cookie = await signIn(product.baseUrl);
    const status = await fetch(`${product.baseUrl}/api/trpc/system.status`, { headers: { cookie } });
    expect(status.status).toBe(200);
    const { result } = (await status.json()) as { result: { data: { ready: boolean; database: { kind: string } } } };
    expect(result.data.ready).toBe(true);
    expect(result.data.database.kind).toBe(variant.name.startsWith("embedded") ? "embedded" : "postgres");
    const services = await fetch(`${product.baseUrl}/api/trpc/services.list`, { headers: { cookie } });
    const list = (await services.json()) as { result: { data: { name: string; instanceCount: number; availableCount: number }[] } };
    expect(list.result.data).toEqual([expect.objectContaining({ name: "slow", instanceCount: 1, availableCount: 1 })]);

    const unknown = await fetch(`${product.proxyUrl}/no-such-service/x`, { headers: { "x-request-id": "req-404" } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toMatch(/^application\/json/);
    expect(unknown.headers.get("x-request-id")).toBe("req-404");
    expect(await unknown.json()).toMatchObject({ error: "unknown_service", service: "no-such-service", request_id: "req-404" });
  });

  it("lets a slow proxied request finish on SIGTERM, refuses new ones, and exits 0", async () => {
    const running = product!;
    const before = backend.requests();
    const inFlight = fetch(`${running.proxyUrl}/slow/work?n=1`);
    // Wait until the backend has the request, then ask the product to stop.
    const deadline = Date.now() + 5_000;
    while (backend.requests() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(backend.requests()).toBe(before + 1);
    const stopped = running.stop("SIGTERM");

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.headers.get("x-instance-id")).toBe("slow-1");
    const body = (await res.json()) as { path: string; requestId: string; instanceId: string };
    expect(body.path).toBe("/work?n=1");
    expect(body.instanceId).toBe("slow-1");
    expect(body.requestId).toBe(res.headers.get("x-request-id"));

    await running.waitForOutput(/SIGTERM: shutting down/);
    await expect(fetch(`${running.proxyUrl}/slow/work`)).rejects.toThrow();
    expect(await stopped).toBe(0);
    expect(running.output()).toMatch(/proxy: drained/);
    expect(running.output()).toMatch(/stopped/);
  });

  it("keeps its data across a restart", async () => {
    product = await runProduct(prepared.env);
    await product.waitReady();
    expect(product.output()).toMatch(/engine: 1 service\(s\) loaded/);
    const res = await fetch(`${product.proxyUrl}/slow/again`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-instance-id")).toBe("slow-1");
    const metrics = await (await fetch(`${product.baseUrl}/metrics`)).text();
    expect(metrics).toContain('alicia_lb_requests_total{service="slow",instance="slow-1"} 1');
    expect(metrics).toContain('alicia_lb_breaker_state{service="slow",instance="slow-1",state="closed"} 1');
    expect(metrics).toContain('alicia_lb_service_instances{service="slow",state="total"} 1');
    expect(metrics).toMatch(/alicia_lb_mqtt_connected 1/);
    expect(await product.stop("SIGTERM")).toBe(0);
  });
});
