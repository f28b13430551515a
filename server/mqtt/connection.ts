/**
 * The process's MQTT connection: one mqtt.js client, reconnecting with a
 * bounded backoff, announcing the node's status on `{prefix}/load_balancer/status`
 * (retained, with a last will saying "offline" if the process dies).
 */
import mqtt, { type MqttClient } from "mqtt";
import { randomBytes } from "node:crypto";

export interface MqttConnection {
  readonly client: MqttClient;
  readonly url: string;
  readonly topicPrefix: string;
  readonly statusTopic: string;
  isConnected(): boolean;
  close(): Promise<void>;
}

export interface ConnectOptions {
  url: string;
  topicPrefix: string;
  /** How long start waits for the first connection (default 10 s). */
  connectTimeoutMs?: number;
}

function statusPayload(status: "online" | "offline", clientId: string): string {
  return JSON.stringify({ status, node: clientId, timestamp: new Date().toISOString(), source: "load_balancer" });
}

export async function connectMqtt(options: ConnectOptions): Promise<MqttConnection> {
  const clientId = `alicia-lb-${randomBytes(4).toString("hex")}`;
  const statusTopic = `${options.topicPrefix}/load_balancer/status`;
  const client = mqtt.connect(options.url, {
    clientId,
    clean: true,
    reconnectPeriod: 1_000,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    will: { topic: statusTopic, payload: Buffer.from(statusPayload("offline", clientId)), qos: 1, retain: true },
  });
  client.on("connect", () => {
    client.publish(statusTopic, statusPayload("online", clientId), { qos: 1, retain: true });
  });
  // Errors are reported through the connection state; reconnects are automatic.
  client.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end(true);
      reject(new Error(`could not connect to the MQTT broker at ${options.url} within ${options.connectTimeoutMs ?? 10_000} ms`));
    }, options.connectTimeoutMs ?? 10_000);
    client.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    client,
    url: options.url,
    topicPrefix: options.topicPrefix,
    statusTopic,
    isConnected: () => client.connected,
    close() {
      closing ??= (async () => {
        if (client.connected) {
          await client.publishAsync(statusTopic, statusPayload("offline", clientId), { qos: 1, retain: true }).catch(() => undefined);
        }
        await client.endAsync();
      })();
      return closing;
    },
  };
}
