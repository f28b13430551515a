/**
 * The node's MQTT connection against the embedded broker and the
 * environment's Mosquitto: status "online" retained on connect, "offline" on
 * a clean close, and the last will says "offline" when the connection dies.
 */
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectMqtt, publishStats, startEmbeddedBroker, type EmbeddedBroker, type ServiceStatsMessage } from "../server/mqtt";
import { externalUrl } from "./support/external";

const mosquittoUrl = externalUrl("MQTT_URL");

interface Broker {
  name: string;
  url(): string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
}

let embedded: EmbeddedBroker | undefined;
const brokers: Broker[] = [
  {
    name: "embedded aedes",
    url: () => embedded!.url,
    async setup() {
      embedded = await startEmbeddedBroker(0);
    },
    async teardown() {
      await embedded?.close();
    },
  },
  ...(mosquittoUrl
    ? [{ name: "Mosquitto", url: () => mosquittoUrl, setup: () => Promise.resolve(), teardown: () => Promise.resolve() }]
    : []),
];

/** Resolves with the next message on `topic` whose status matches. */
async function nextStatus(url: string, topic: string, status: string, timeoutMs = 5_000): Promise<Record<string, unknown>> {
  const watcher = await mqtt.connectAsync(url, { clientId: `watcher-${Math.random().toString(16).slice(2)}` });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${status}" on ${topic} within ${timeoutMs} ms`)), timeoutMs);
      watcher.on("message", (_t, payload) => {
        const message = JSON.parse(payload.toString()) as Record<string, unknown>;
        if (message.status === status) {
          clearTimeout(timer);
          resolve(message);
        }
      });
      void watcher.subscribeAsync(topic, { qos: 1 });
    });
  } finally {
    await watcher.endAsync();
  }
}

describe.each(brokers)("MQTT connection on $name", (broker) => {
  beforeAll(() => broker.setup());
  afterAll(() => broker.teardown());

  it("publishes a retained online status, and offline on close", async () => {
    const prefix = `test${Math.random().toString(16).slice(2, 10)}`;
    const connection = await connectMqtt({ url: broker.url(), topicPrefix: prefix });
    expect(connection.isConnected()).toBe(true);
    expect(connection.statusTopic).toBe(`${prefix}/load_balancer/status`);
    // Retained: a subscriber that arrives later still gets it.
    const online = await nextStatus(broker.url(), connection.statusTopic, "online");
    expect(online.source).toBe("load_balancer");
    await connection.close();
    expect(connection.isConnected()).toBe(false);
    await nextStatus(broker.url(), connection.statusTopic, "offline");
  });

  it("leaves a last will that says offline when the connection dies", async () => {
    const prefix = `test${Math.random().toString(16).slice(2, 10)}`;
    const connection = await connectMqtt({ url: broker.url(), topicPrefix: prefix });
    await nextStatus(broker.url(), connection.statusTopic, "online");
    const offline = nextStatus(broker.url(), connection.statusTopic, "offline");
    await new Promise((r) => setTimeout(r, 200));
    connection.client.stream.destroy(); // the process "dies": no clean disconnect
    await expect(offline).resolves.toMatchObject({ status: "offline" });
    connection.client.end(true);
  });

  it("publishes periodic per-service stats on {prefix}/load_balancer/stats with the seed's fields", async () => {
    const prefix = `test${Math.random().toString(16).slice(2, 10)}`;
    const connection = await connectMqtt({ url: broker.url(), topicPrefix: prefix });
    const watcher = await mqtt.connectAsync(broker.url(), { clientId: `stats-${prefix}` });
    const received = new Promise<Record<string, unknown>>((resolve) => {
      watcher.on("message", (_topic, payload) => resolve(JSON.parse(payload.toString()) as Record<string, unknown>));
    });
    await watcher.subscribeAsync(`${prefix}/load_balancer/stats`, { qos: 0 });
    const message: ServiceStatsMessage = {
      service_name: "orders",
      algorithm: "round_robin",
      total_requests: 1200,
      active_connections: 3,
      healthy_instances: 2,
      unhealthy_instances: 1,
      average_response_time: 0.012,
      interval_ms: 5000,
      interval_requests: 100,
      interval_failed_requests: 2,
      p50_ms: 10,
      p95_ms: 30,
      p99_ms: 45,
      throughput_rps: 20,
      timestamp: 1_795_600_000.5,
    };
    expect(publishStats(connection, [message])).toBe(1);
    await expect(received).resolves.toEqual(message);
    await watcher.endAsync();
    await connection.close();
    expect(publishStats(connection, [message])).toBe(0); // disconnected: nothing sent, nothing queued
  });

  it("fails with a clear message when no broker answers", async () => {
    await expect(connectMqtt({ url: "mqtt://127.0.0.1:1", topicPrefix: "x", connectTimeoutMs: 1_000 })).rejects.toThrow(
      /could not connect to the MQTT broker at mqtt:\/\/127\.0\.0\.1:1/,
    );
  });
});
