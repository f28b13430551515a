/**
 * The balancer on Alicia's MQTT bus, against the embedded broker and the
 * environment's Mosquitto: discovery registers and unregisters routable
 * instances, bad payloads change nothing, engine events are published (a
 * breaker opening under traffic included), heartbeats judge instances, and a
 * broker restart loses no event and marks nothing down.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../server/db";
import { DEFAULT_BREAKER, DEFAULT_HEALTH, createEngine, instanceId, seededRng, serviceName, type Engine, type ServiceConfig } from "../server/engine";
import {
  connectMqtt,
  createHostPolicy,
  startDiscovery,
  startEmbeddedBroker,
  startEventPublisher,
  startHeartbeats,
  type Discovery,
  type EmbeddedBroker,
  type EventPublisher,
  type Heartbeats,
  type MqttConnection,
} from "../server/mqtt";
import { createHealthChecker } from "../server/health";
import { createProxyServer, type ProxyServer } from "../server/proxy";
import { startBackend, type Backend } from "./support/backends";
import { externalUrl } from "./support/external";

const mosquittoUrl = externalUrl("MQTT_URL");
const clock = { now: () => performance.now() };
const DEFAULT_SERVICE: ServiceConfig = {
  name: serviceName("default"),
  algorithm: "round_robin",
  maxConnectionsPerInstance: 100,
  breaker: DEFAULT_BREAKER,
  health: { ...DEFAULT_HEALTH, intervalMs: 100 },
  requestTimeoutMs: 30_000,
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface Message {
  topic: string;
  json: Record<string, unknown>;
}

async function watch(url: string, filter: string): Promise<{ client: MqttClient; messages: Message[] }> {
  const client = await mqtt.connectAsync(url, { clientId: `watch-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 200 });
  const messages: Message[] = [];
  client.on("message", (topic, payload) => {
    messages.push({ topic, json: JSON.parse(payload.toString()) as Record<string, unknown> });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, messages };
}

interface Bus {
  name: string;
  embedded: boolean;
  url(): string;
}
let broker: EmbeddedBroker | undefined;
const buses: Bus[] = [
  { name: "embedded aedes", embedded: true, url: () => broker!.url },
  ...(mosquittoUrl ? [{ name: "Mosquitto", embedded: false, url: () => mosquittoUrl }] : []),
];

describe.each(buses)("on $name", (bus) => {
  const prefix = `t${Math.random().toString(16).slice(2, 10)}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "alicia-mqtt-bus-"));
  let db: Db;
  let engine: Engine;
  let proxy: ProxyServer;
  let proxyUrl: string;
  let connection: MqttConnection;
  let publisher: EventPublisher;
  let discovery: Discovery;
  let heartbeats: Heartbeats;
  let backend: Backend;
  let announcer: MqttClient;
  const announce = async (payload: unknown) => {
    await announcer.publishAsync(`${prefix}/service_discovery/events`, typeof payload === "string" ? payload : JSON.stringify(payload), { qos: 1 });
  };

  beforeAll(async () => {
    if (bus.embedded) broker = await startEmbeddedBroker(0);
    db = await createDb({ kind: "embedded", dataDir });
    engine = createEngine({ clock, rng: seededRng(3) });
    proxy = createProxyServer({ engine, clock });
    proxyUrl = `http://127.0.0.1:${(await proxy.listen(0, "127.0.0.1")).port}`;
    connection = await connectMqtt({ url: bus.url(), topicPrefix: prefix });
    publisher = startEventPublisher({ engine, connection, toWallClockMs: (at) => Date.now() - (clock.now() - at) });
    discovery = startDiscovery({
      connection,
      db,
      engine,
      hostPolicy: createHostPolicy({ allowed: [], denied: ["10.66.0.0/16"] }),
      maxPerSecond: 1_000,
      log: { warn: () => undefined, info: () => undefined },
    });
    heartbeats = startHeartbeats({ connection, engine });
    backend = await startBackend("disc-1");
    announcer = await mqtt.connectAsync(bus.url(), { clientId: `announcer-${prefix}` });
    await sleep(100); // subscriptions settle
  });

  afterAll(async () => {
    await announcer.endAsync();
    heartbeats.stop();
    await discovery.stop();
    publisher.stop();
    await connection.close();
    await proxy.drain(500);
    await backend.close();
    await db.close();
    if (bus.embedded) await broker?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("routes to an instance within a second of its announcement, and stops after it unregisters", async () => {
    const events = await watch(bus.url(), `${prefix}/load_balancer/#`);
    const announced = performance.now();
    await announce({
      event_type: "service_registered",
      service_data: { service_name: "search", instance_id: "search-1", host: "127.0.0.1", port: backend.port, weight: 2 },
    });
    await until(async () => (await fetch(`${proxyUrl}/search/q`)).status === 200, 1_000, "instance routable");
    expect(performance.now() - announced).toBeLessThan(1_000);
    const res = await fetch(`${proxyUrl}/search/q?x=1`);
    expect(res.headers.get("x-instance-id")).toBe("search-1");
    const stored = await db.services.get("search");
    expect(stored?.instances).toEqual([expect.objectContaining({ id: "search-1", port: backend.port, weight: 2, source: "discovery" })]);
    expect(engine.getServiceSnapshot("search")!.instances).toEqual([expect.objectContaining({ id: "search-1", source: "discovery" })]);

    await announce({ event_type: "service_unregistered", service_data: { service_name: "search", instance_id: "search-1" } });
    await until(async () => (await fetch(`${proxyUrl}/search/q`)).status === 503, 1_000, "instance gone");
    expect((await db.services.get("search"))?.instances).toEqual([]);

    await until(() => events.messages.some((m) => m.topic === `${prefix}/load_balancer/instance_unregistered`), 2_000, "events");
    const registered = events.messages.find((m) => m.topic === `${prefix}/load_balancer/instance_registered`)!;
    expect(registered.json).toMatchObject({
      event_type: "instance_registered",
      source: "load_balancer",
      event_data: { service: "search", instanceId: "search-1", host: "127.0.0.1", port: backend.port },
    });
    expect(registered.json.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(String(registered.json.timestamp))).toBeGreaterThan(Date.now() - 10_000);
    // The same message also went to the all-events topic.
    expect(events.messages.filter((m) => m.json.event_id === registered.json.event_id).map((m) => m.topic).sort()).toEqual([
      `${prefix}/load_balancer/events`,
      `${prefix}/load_balancer/instance_registered`,
    ]);
    await events.client.endAsync();
  });

  it("drops every bad payload, counts it by reason, and changes nothing", async () => {
    await announce({ event_type: "service_registered", service_data: { service_name: "keep", instance_id: "keep-1", host: "127.0.0.1", port: backend.port } });
    await until(() => engine.getService("keep") !== undefined, 2_000, "keep registered");
    await discovery.idle();
    const before = JSON.stringify(await db.services.list());
    const snapshotBefore = JSON.stringify(engine.listServices().map((s) => [s.name, s.instances.map((i) => [i.id, i.host, i.port, i.weight])]));
    const rejectedBefore = discovery.rejected();

    const reg = (data: Record<string, unknown>) => ({ event_type: "service_registered", service_data: { service_name: "keep", instance_id: "keep-1", host: "127.0.0.1", port: 9000, ...data } });
    const bad: unknown[] = [
      "{not json",
      "x".repeat(20 * 1024),
      { event_type: "service_exploded", service_data: {} },
      { event_type: "service_registered" },
      reg({ port: 0 }),
      reg({ port: 70_000 }),
      reg({ port: "80" }),
      reg({ weight: -1 }),
      reg({ service_name: "__proto__" }),
      reg({ service_name: "a/b" }),
      reg({ instance_id: "#" }),
      reg({ instance_id: "+" }),
      reg({ instance_id: "constructor" }),
      reg({ service_name: "x".repeat(65) }),
      reg({ host: "169.254.169.254" }),
      reg({ host: "fe80::1" }),
      reg({ host: "metadata.google.internal" }),
      reg({ host: "10.66.1.1" }),
      '{"event_type":"service_registered","service_data":{"__proto__":{"polluted":true},"service_name":"keep","instance_id":"keep-1","host":"127.0.0.1"}}',
      { event_type: "service_unregistered", service_data: { service_name: "keep" } },
    ];
    for (const payload of bad) await announce(payload);
    await until(() => {
      const r = discovery.rejected();
      const total = Object.values(r).reduce((a, b) => a + b, 0) - Object.values(rejectedBefore).reduce((a, b) => a + b, 0);
      return total === bad.length;
    }, 3_000, "all bad payloads rejected");
    await discovery.idle();
    expect(discovery.rejected()).toMatchObject({ malformed_json: 1, oversized: 1, forbidden_host: 4 });
    expect(JSON.stringify(await db.services.list())).toBe(before);
    expect(JSON.stringify(engine.listServices().map((s) => [s.name, s.instances.map((i) => [i.id, i.host, i.port, i.weight])]))).toBe(snapshotBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rate-limits a flood of registrations", async () => {
    const limited = startDiscovery({
      connection,
      db,
      engine,
      hostPolicy: createHostPolicy({ allowed: [], denied: [] }),
      maxPerSecond: 5,
      log: { warn: () => undefined, info: () => undefined },
    });
    try {
      await sleep(100);
      const flood = 60;
      for (let i = 0; i < flood; i++) {
        await announce({ event_type: "service_health_changed", service_data: { service_name: "keep", instance_id: "keep-1", health_status: "unknown" } });
      }
      await until(() => limited.applied().service_health_changed + (limited.rejected().rate_limited ?? 0) === flood, 3_000, "flood handled");
      expect(limited.applied().service_health_changed).toBeLessThanOrEqual(12); // burst of 10, plus refill
      expect(limited.rejected().rate_limited).toBeGreaterThanOrEqual(flood - 12);
    } finally {
      await limited.stop();
    }
  });

  it("publishes a breaker opening under traffic with the instance id", async () => {
    const events = await watch(bus.url(), `${prefix}/load_balancer/+`);
    const doomed = await startBackend("doomed");
    await announce({ event_type: "service_registered", service_data: { service_name: "pay", instance_id: "pay-1", host: "127.0.0.1", port: doomed.port } });
    await until(async () => (await fetch(`${proxyUrl}/pay/x`)).status === 200, 2_000, "pay routable");
    await doomed.close();
    for (let i = 0; i < 8; i++) await fetch(`${proxyUrl}/pay/x`);
    await until(() => events.messages.some((m) => m.topic === `${prefix}/load_balancer/breaker_opened`), 2_000, "breaker_opened published");
    const opened = events.messages.find((m) => m.topic === `${prefix}/load_balancer/breaker_opened`)!;
    expect(opened.json).toMatchObject({ event_type: "breaker_opened", event_data: { service: "pay", instanceId: "pay-1", from: "closed", consecutiveFailures: 5 } });
    const errors = events.messages.filter((m) => m.topic === `${prefix}/load_balancer/errors`);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.json).toMatchObject({ event_type: "routing_error", event_data: { service: "pay", kind: "bad_gateway" } });
    await events.client.endAsync();
  });

  it("judges instances by their heartbeats", async () => {
    engine.upsertService({ ...engine.getService("keep")!.config, health: { ...engine.getService("keep")!.config.health, intervalMs: 100 } });
    const beat = () => announcer.publishAsync(`${prefix}/services/keep/keep-1/heartbeat`, JSON.stringify({ interval_ms: 100 }));
    await beat();
    await until(() => heartbeats.status("keep", "keep-1") === "alive", 1_000, "alive");
    await until(() => heartbeats.status("keep", "keep-1") === "stale", 1_000, "stale after 3 intervals");
    await beat();
    await until(() => heartbeats.status("keep", "keep-1") === "alive", 1_000, "alive again");
    expect(heartbeats.status("keep", "never-seen")).not.toBe("alive");
    expect(heartbeats.counts().received).toBeGreaterThanOrEqual(2);
  });

  it("marks an instance down when its heartbeats stop, and up again when they resume (health checker, mqtt method)", async () => {
    const hb = serviceName("beats");
    engine.upsertService({ ...DEFAULT_SERVICE, name: hb, health: { ...DEFAULT_HEALTH, methods: ["mqtt"], intervalMs: 100, healthyThreshold: 2, unhealthyThreshold: 2 } });
    engine.upsertInstance(hb, { id: instanceId("beat-1"), host: "127.0.0.1", port: backend.port, weight: 1, enabled: true, draining: false });
    const checker = createHealthChecker({ engine, heartbeatStatus: (s, i) => heartbeats.status(s, i), random: () => 0.5 });
    checker.start();
    const health = () => engine.getServiceSnapshot("beats")!.instances[0]!.health;
    let beating = true;
    const beat = async () => {
      while (beating) {
        await announcer.publishAsync(`${prefix}/services/beats/beat-1/heartbeat`, JSON.stringify({ interval_ms: 100 }));
        await sleep(50);
      }
    };
    try {
      let loop = beat();
      await until(() => health() === "healthy", 2_000, "healthy while beating");
      beating = false;
      await loop;
      const stoppedAt = performance.now();
      await until(() => health() === "unhealthy", 3_000, "unhealthy after heartbeats stop");
      expect(performance.now() - stoppedAt).toBeGreaterThanOrEqual(300); // not before the 3 × 100 ms timeout
      expect((await fetch(`${proxyUrl}/beats/x`)).status).toBe(503);
      beating = true;
      loop = beat();
      await until(() => health() === "healthy", 2_000, "healthy again");
      expect((await fetch(`${proxyUrl}/beats/x`)).status).toBe(200);
      beating = false;
      await loop;
    } finally {
      beating = false;
      await checker.stop();
    }
  });

});


/** A broker this test can stop and start again on the same port. */
interface RestartableBroker {
  name: string;
  start(port: number): Promise<{ url: string; port: number; stop: () => Promise<void> }>;
}

const restartable: RestartableBroker[] = [
  {
    name: "embedded aedes",
    async start(port) {
      const b = await startEmbeddedBroker(port);
      return { url: b.url, port: b.port, stop: () => b.close() };
    },
  },
  ...(mosquittoUrl
    ? [
        {
          name: "Mosquitto",
          async start(port: number) {
            const chosen = port === 0 ? await freePort() : port;
            const child = spawn("mosquitto", ["-p", String(chosen)], { stdio: "ignore" });
            const url = `mqtt://127.0.0.1:${chosen}`;
            await until(async () => {
              try {
                const probe = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 500 });
                await probe.endAsync();
                return true;
              } catch {
                return false;
              }
            }, 5_000, "mosquitto listening");
            return {
              url,
              port: chosen,
              stop: () =>
                new Promise<void>((resolve) => {
                  child.once("exit", () => resolve());
                  child.kill("SIGKILL");
                }),
            };
          },
        },
      ]
    : []),
];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each(restartable)("a restart of $name", (kind) => {
  it("loses no event and marks nothing down", async () => {
    const prefix = `r${Math.random().toString(16).slice(2, 10)}`;
    let running = await kind.start(0);
    const port = running.port;
    const engine = createEngine({ clock, rng: seededRng(5) });
    const keep = serviceName("keep");
    engine.upsertService({ ...DEFAULT_SERVICE, name: keep });
    engine.upsertInstance(keep, { id: instanceId("keep-1"), host: "127.0.0.1", port: 9, weight: 1, enabled: true, draining: false });
    const connection = await connectMqtt({ url: running.url, topicPrefix: prefix });
    const publisher = startEventPublisher({ engine, connection, toWallClockMs: (at) => Date.now() - (clock.now() - at) });
    const heartbeats = startHeartbeats({ connection, engine });
    try {
      await running.stop();
      await until(() => !connection.isConnected(), 3_000, "disconnected");
      // While the broker is down: events happen, and heartbeats stop arriving.
      const ids = ["down-1", "down-2", "down-3"];
      for (const id of ids) engine.upsertInstance(keep, { id: instanceId(id), host: "127.0.0.1", port: 9, weight: 1, enabled: true, draining: false });
      await sleep(400); // more than 3 heartbeat intervals
      expect(heartbeats.status("keep", "keep-1")).toBe("unknown");
      expect(publisher.stats().queued).toBeGreaterThanOrEqual(ids.length * 2);

      running = await kind.start(port);
      const events = await watch(running.url, `${prefix}/load_balancer/instance_registered`);
      await until(
        () => ids.every((id) => events.messages.some((m) => (m.json.event_data as { instanceId?: string }).instanceId === id)),
        5_000,
        "queued events delivered",
      );
      expect(publisher.stats().dropped).toBe(0);
      await until(() => connection.isConnected(), 3_000, "reconnected");
      // Just reconnected: still no verdict, so the outage marks nothing down.
      expect(heartbeats.status("keep", "keep-1")).toBe("unknown");
      await events.client.endAsync();
    } finally {
      heartbeats.stop();
      publisher.stop();
      await connection.close().catch(() => undefined);
      await running.stop();
    }
  });
});
