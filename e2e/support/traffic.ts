/**
 * Real things for the end-to-end specs that drive traffic: loopback backends
 * answering after a known delay, an MQTT client announcing instances through
 * service discovery, and a bounded burst of requests through the proxy.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { connectAsync, type MqttClient } from "mqtt";

export interface Backend {
  readonly port: number;
  readonly delayMs: number;
  /** Requests answered that came through the proxy (health checks excluded). */
  proxied(): number;
  close(): Promise<void>;
}

/** An HTTP backend on 127.0.0.1:0 answering 200 after `delayMs` (health checks at once). */
export async function startBackend(delayMs: number): Promise<Backend> {
  let proxied = 0;
  const server = http.createServer((req, res) => {
    if (req.url === "/health") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    proxied++;
    const timer = setTimeout(() => res.writeHead(200, { "content-type": "text/plain" }).end(`slept ${delayMs} ms`), delayMs);
    res.on("close", () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    delayMs,
    proxied: () => proxied,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Discovery {
  register(service: string, instanceId: string, port: number, weight?: number): Promise<void>;
  unregister(service: string, instanceId: string): Promise<void>;
  close(): Promise<void>;
}

const DISCOVERY_TOPIC = "alicia/service_discovery/events";

/** Announces instances over MQTT service discovery, on the product's broker. */
export async function connectDiscovery(url: string): Promise<Discovery> {
  const client: MqttClient = await connectAsync(url, { connectTimeout: 5_000, reconnectPeriod: 0, clientId: `e2e-${process.pid}-${Date.now()}` });
  const publish = async (payload: object) => {
    await client.publishAsync(DISCOVERY_TOPIC, JSON.stringify(payload), { qos: 1 });
  };
  return {
    register: (service, instanceId, port, weight = 1) =>
      publish({ event_type: "service_registered", service_data: { service_name: service, instance_id: instanceId, host: "127.0.0.1", port, weight } }),
    unregister: (service, instanceId) => publish({ event_type: "service_unregistered", service_data: { service_name: service, instance_id: instanceId } }),
    close: () => client.endAsync(),
  };
}

export interface BurstResult {
  sent: number;
  ok: number;
  statuses: Record<number, number>;
  elapsedMs: number;
}

/** Sends `total` GETs to `url` with `concurrency` in flight; each request times out after 5 s. */
export async function burst(url: string, total: number, concurrency: number): Promise<BurstResult> {
  const started = Date.now();
  const statuses: Record<number, number> = {};
  let next = 0;
  let ok = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      let status = 0;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        status = res.status;
      } catch {
        status = 0;
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 200) ok++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { sent: total, ok, statuses, elapsedMs: Date.now() - started };
}

/** Parses "1,234.5 ms", "12.3 req/s", "1,200" → number. */
export function parseNumber(text: string | null): number {
  const match = /-?[\d,]*\.?\d+/.exec(text ?? "");
  return match === null ? Number.NaN : Number(match[0].replaceAll(",", ""));
}
