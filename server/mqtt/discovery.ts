/**
 * Service discovery over MQTT (DESIGN.md contract):
 *   {prefix}/service_discovery/events
 *   { event_type: "service_registered" | "service_unregistered" | "service_health_changed",
 *     service_data: { service_name, instance_id, host, port, weight?, health_status? } }
 *
 * Every payload is checked before it touches anything: size, JSON, shape
 * (zod), names (a service name is a URL path segment; ids have no wildcards,
 * slashes or prototype keys), the host policy (host-policy.ts) and a rate
 * limit (token bucket). A rejected message changes nothing, is counted by
 * reason and logged once per reason. Accepted ones are applied one at a time,
 * in arrival order: stored first (instances marked source "discovery"), then
 * applied to the engine, so a restart finds what discovery registered.
 */
import { z } from "zod";
import type { Db } from "../db";
import { INSTANCE_ID_PATTERN, MAX_WEIGHT, RESERVED_NAMES, SERVICE_NAME_PATTERN, instanceId as toInstanceId, serviceName as toServiceName, type Engine } from "../engine";
import type { MqttConnection } from "./connection";
import type { HostPolicy } from "../net";

const PROTOTYPE_KEYS = RESERVED_NAMES;
export const MAX_DISCOVERY_PAYLOAD_BYTES = 16 * 1024;
const MAX_BACKLOG = 1_000;

const name = (pattern: RegExp, what: string) =>
  z
    .string()
    .regex(pattern, `${what} must match ${pattern.source}`)
    .refine((value) => !PROTOTYPE_KEYS.has(value), `${what} must not be a prototype key`);

const identity = {
  service_name: name(SERVICE_NAME_PATTERN, "service_name"),
  instance_id: name(INSTANCE_ID_PATTERN, "instance_id"),
};

export const discoveryMessageSchema = z.discriminatedUnion("event_type", [
  z.object({
    event_type: z.literal("service_registered"),
    service_data: z.object({
      ...identity,
      host: z.string().min(1).max(253),
      port: z.number().int().min(1).max(65_535),
      weight: z.number().int().min(0).max(MAX_WEIGHT).optional(),
    }),
  }),
  z.object({ event_type: z.literal("service_unregistered"), service_data: z.object(identity) }),
  z.object({
    event_type: z.literal("service_health_changed"),
    service_data: z.object({ ...identity, health_status: z.enum(["healthy", "unhealthy", "unknown"]) }),
  }),
]);
export type DiscoveryMessage = z.infer<typeof discoveryMessageSchema>;

export type RejectReason =
  | "oversized"
  | "malformed_json"
  | "invalid_payload"
  | "forbidden_host"
  | "rate_limited"
  | "backlog_full"
  | "conflict"
  | "store_failed";

export interface DiscoveryOptions {
  connection: MqttConnection;
  db: Db;
  engine: Engine;
  hostPolicy: HostPolicy;
  maxPerSecond: number;
  now?: () => number;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export interface Discovery {
  readonly topic: string;
  /** Messages accepted and applied, by event type. */
  applied(): Record<DiscoveryMessage["event_type"], number>;
  rejected(): Partial<Record<RejectReason, number>>;
  /** Resolves once every message received so far has been handled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Token bucket: `ratePerSecond` tokens a second, bursts up to twice that. */
export class TokenBucket {
  #tokens: number;
  #last: number;
  constructor(
    readonly ratePerSecond: number,
    private readonly now: () => number,
    readonly burst = ratePerSecond * 2,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${ratePerSecond}`);
    this.#tokens = burst;
    this.#last = now();
  }
  take(): boolean {
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.ratePerSecond);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

export function startDiscovery(options: DiscoveryOptions): Discovery {
  const { connection, db, engine, log } = options;
  const topic = `${connection.topicPrefix}/service_discovery/events`;
  const bucket = new TokenBucket(options.maxPerSecond, options.now ?? (() => performance.now()));
  const rejected: Partial<Record<RejectReason, number>> = {};
  const applied = { service_registered: 0, service_unregistered: 0, service_health_changed: 0 };
  let chain: Promise<void> = Promise.resolve();
  let backlog = 0;
  let stopped = false;

  const reject = (reason: RejectReason, detail: string) => {
    const count = (rejected[reason] ?? 0) + 1;
    rejected[reason] = count;
    if (count === 1) log.warn({ reason, detail }, `discovery: rejected a message (${reason}): ${detail}; further ones are only counted`);
  };

  async function apply(message: DiscoveryMessage): Promise<void> {
    const data = message.service_data;
    const service = toServiceName(data.service_name);
    const id = toInstanceId(data.instance_id);
    switch (message.event_type) {
      case "service_registered": {
        const refused = options.hostPolicy(message.service_data.host);
        if (refused !== undefined) {
          reject("forbidden_host", `${data.service_name}/${data.instance_id} at ${message.service_data.host}: ${refused}`);
          return;
        }
        const instance = { id, host: message.service_data.host, port: message.service_data.port, weight: message.service_data.weight ?? 1, enabled: true, draining: false };
        const result = await db.services.registerInstance(service, instance, "discovery");
        if (result.outcome === "conflict") {
          reject("conflict", result.reason);
          return;
        }
        if (result.serviceCreated || engine.getService(service) === undefined) engine.upsertService(result.service.config, "registered by service discovery");
        const stored = result.service.instances.find((i) => i.id === id);
        if (stored !== undefined && result.outcome !== "unchanged") engine.upsertInstance(service, stored, "registered by service discovery");
        break;
      }
      case "service_unregistered": {
        if (await db.services.removeInstance(service, id, "discovery")) {
          if (engine.getServiceSnapshot(service)?.instances.some((i) => i.id === id)) {
            engine.removeInstance(service, id, "unregistered by service discovery");
          }
        }
        break;
      }
      case "service_health_changed": {
        const status = message.service_data.health_status;
        if (status === "unknown") break;
        if (engine.getServiceSnapshot(service)?.instances.some((i) => i.id === id)) {
          engine.recordHealthCheck(service, id, status === "healthy", `service discovery: ${status}`);
        }
        break;
      }
    }
    applied[message.event_type]++;
  }

  const onMessage = (received: string, payload: Buffer) => {
    if (received !== topic || stopped) return;
    if (payload.length > MAX_DISCOVERY_PAYLOAD_BYTES) {
      reject("oversized", `${payload.length} bytes (limit ${MAX_DISCOVERY_PAYLOAD_BYTES})`);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(payload.toString("utf8"));
    } catch (error) {
      reject("malformed_json", error instanceof Error ? error.message : String(error));
      return;
    }
    const parsed = discoveryMessageSchema.safeParse(json);
    if (!parsed.success) {
      reject("invalid_payload", parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; "));
      return;
    }
    if (!bucket.take()) {
      reject("rate_limited", `more than ${options.maxPerSecond} messages a second`);
      return;
    }
    if (backlog >= MAX_BACKLOG) {
      reject("backlog_full", `${MAX_BACKLOG} messages waiting`);
      return;
    }
    backlog++;
    chain = chain
      .then(() => apply(parsed.data))
      .catch((error: unknown) => {
        reject("store_failed", error instanceof Error ? error.message : String(error));
      })
      .finally(() => {
        backlog--;
      });
  };

  connection.client.on("message", onMessage);
  const subscribe = () => {
    connection.client.subscribe(topic, { qos: 1 }, (error) => {
      if (error) log.warn({ err: error }, `discovery: could not subscribe to ${topic}`);
    });
  };
  subscribe();
  // mqtt.js resubscribes on reconnect by itself (resubscribe: true); a clean session needs it.

  return {
    topic,
    applied: () => ({ ...applied }),
    rejected: () => ({ ...rejected }),
    idle: () => chain,
    async stop() {
      stopped = true;
      connection.client.off("message", onMessage);
      await chain;
    },
  };
}
