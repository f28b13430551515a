/**
 * Heartbeat health (the seed's MQTT check): instances publish on
 * `{prefix}/services/{service_name}/{instance_id}/heartbeat`; an instance is
 * alive while heartbeats arrive within a timeout (default 3 × its interval:
 * the payload's `interval_ms`, else the service's health-check interval).
 *
 * `status()` is what the health checker's "mqtt" method asks. A broker outage
 * alone never marks an instance down: while disconnected, and for one timeout
 * after (re)connecting, an instance not heard from answers "unknown" (no
 * verdict), not "stale".
 *
 * Only instances the engine knows are tracked, so a flood of made-up ids
 * cannot grow memory.
 */
import { z } from "zod";
import type { Engine } from "../engine";
import type { MqttConnection } from "./connection";
import { INSTANCE_ID_PATTERN, SERVICE_NAME_PATTERN } from "../engine";

export const HEARTBEAT_TIMEOUT_FACTOR = 3;
const MAX_HEARTBEAT_BYTES = 4 * 1024;

const heartbeatSchema = z.looseObject({ interval_ms: z.number().int().min(100).max(3_600_000).optional() });

export type HeartbeatVerdict = "alive" | "stale" | "unknown";

export interface Heartbeats {
  status(service: string, instanceId: string): HeartbeatVerdict;
  /** Heartbeats received, and rejected (bad topic or payload, unknown instance). */
  counts(): { received: number; rejected: number };
  stop(): void;
}

interface Seen {
  at: number;
  intervalMs: number | undefined;
}

export function startHeartbeats(options: { connection: MqttConnection; engine: Engine; now?: () => number }): Heartbeats {
  const { connection, engine } = options;
  const now = options.now ?? (() => performance.now());
  const prefixLevels = connection.topicPrefix.split("/").length;
  const filter = `${connection.topicPrefix}/services/+/+/heartbeat`;
  const seen = new Map<string, Seen>();
  let connectedAt = connection.isConnected() ? now() : Number.NaN;
  let received = 0;
  let rejected = 0;

  const onConnect = () => {
    connectedAt = now();
  };
  const onClose = () => {
    connectedAt = Number.NaN;
  };
  const onMessage = (topic: string, payload: Buffer) => {
    const levels = topic.split("/");
    if (levels.length !== prefixLevels + 4 || levels[prefixLevels] !== "services" || levels[prefixLevels + 3] !== "heartbeat") return;
    const service = levels[prefixLevels + 1] ?? "";
    const id = levels[prefixLevels + 2] ?? "";
    if (!SERVICE_NAME_PATTERN.test(service) || !INSTANCE_ID_PATTERN.test(id) || payload.length > MAX_HEARTBEAT_BYTES) {
      rejected++;
      return;
    }
    if (engine.getService(service) === undefined) {
      rejected++;
      return;
    }
    let intervalMs: number | undefined;
    if (payload.length > 0) {
      try {
        const parsed = heartbeatSchema.safeParse(JSON.parse(payload.toString("utf8")));
        if (parsed.success) intervalMs = parsed.data.interval_ms;
      } catch {
        // A non-JSON heartbeat still says the instance is alive.
      }
    }
    received++;
    seen.set(`${service}/${id}`, { at: now(), intervalMs });
  };

  connection.client.on("connect", onConnect);
  connection.client.on("close", onClose);
  connection.client.on("message", onMessage);
  connection.client.subscribe(filter, { qos: 0 });

  const forget = engine.on("instance_unregistered", (e) => {
    seen.delete(`${e.service}/${e.instanceId}`);
  });

  return {
    status(service, instanceId) {
      const config = engine.getService(service)?.config;
      if (config === undefined) return "unknown";
      const last = seen.get(`${service}/${instanceId}`);
      const timeoutMs = HEARTBEAT_TIMEOUT_FACTOR * (last?.intervalMs ?? config.health.intervalMs);
      const t = now();
      if (last !== undefined && t - last.at <= timeoutMs) return "alive";
      // Not heard from in time: only a verdict if the broker has been reachable for a whole timeout.
      if (Number.isNaN(connectedAt) || t - connectedAt < timeoutMs) return "unknown";
      return "stale";
    },
    counts: () => ({ received, rejected }),
    stop() {
      forget();
      connection.client.off("connect", onConnect);
      connection.client.off("close", onClose);
      connection.client.off("message", onMessage);
    },
  };
}
