/**
 * Prometheus metrics (prom-client) on GET /metrics. Every value is read at
 * scrape time (collect callbacks) from the engine, the stats recorder and the
 * MQTT rings, so the proxy's hot path touches no metric object of its own.
 * Labels: `service` and `instance`.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { Engine } from "../engine";

export interface LatencySample {
  service: string;
  instance: string;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** Where the figures come from; each returns undefined while its ring has not started. */
export interface MetricsSources {
  engine: Engine;
  proxyInFlight: () => number;
  /** The last recording interval's rates and latency per service (instance "") and instance. */
  latency?: () => readonly LatencySample[];
  statsBuffer?: () => { buffered: number; dropped: number; written: number } | undefined;
  eventStore?: () => { buffered: number; dropped: number; written: number } | undefined;
  mqtt?: () => { connected: boolean; queued: number; published: number; dropped: number } | undefined;
  discovery?: () => { applied: Record<string, number>; rejected: Partial<Record<string, number>> } | undefined;
}

const SI = ["service", "instance"] as const;

export function createMetrics(sources: MetricsSources): Registry {
  const { engine } = sources;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "alicia_lb_process_" });
  const each = (fn: (service: string, instance: ReturnType<Engine["listServices"]>[number]["instances"][number]) => void) => {
    for (const service of engine.listServices()) for (const instance of service.instances) fn(service.name, instance);
  };

  new Gauge({
    name: "alicia_lb_proxy_in_flight_requests",
    help: "Requests being forwarded right now",
    registers: [registry],
    collect() {
      this.set(sources.proxyInFlight());
    },
  });
  new Counter({
    name: "alicia_lb_requests_total",
    help: "Requests forwarded to an instance since start",
    labelNames: SI,
    registers: [registry],
    collect() {
      this.reset();
      each((service, i) => this.inc({ service, instance: i.id }, i.totalRequests));
    },
  });
  new Counter({
    name: "alicia_lb_request_failures_total",
    help: "Requests to an instance that failed (5xx, connection error, timeout) since start",
    labelNames: SI,
    registers: [registry],
    collect() {
      this.reset();
      each((service, i) => this.inc({ service, instance: i.id }, i.failedRequests));
    },
  });
  new Gauge({
    name: "alicia_lb_active_connections",
    help: "Requests in flight to an instance",
    labelNames: SI,
    registers: [registry],
    collect() {
      this.reset();
      each((service, i) => this.set({ service, instance: i.id }, i.activeConnections));
    },
  });
  new Gauge({
    name: "alicia_lb_instance_health",
    help: "1 for the instance's current health state (unknown, healthy, unhealthy)",
    labelNames: [...SI, "state"],
    registers: [registry],
    collect() {
      this.reset();
      each((service, i) => this.set({ service, instance: i.id, state: i.health }, 1));
    },
  });
  new Gauge({
    name: "alicia_lb_breaker_state",
    help: "1 for the instance's current circuit-breaker state (closed, open, half_open, forced_open)",
    labelNames: [...SI, "state"],
    registers: [registry],
    collect() {
      this.reset();
      each((service, i) => this.set({ service, instance: i.id, state: i.breaker.state }, 1));
    },
  });
  new Gauge({
    name: "alicia_lb_service_instances",
    help: "Instances of a service: total, healthy, available (eligible for traffic)",
    labelNames: ["service", "state"],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of engine.listServices()) {
        this.set({ service: s.name, state: "total" }, s.instances.length);
        this.set({ service: s.name, state: "healthy" }, s.healthyCount);
        this.set({ service: s.name, state: "available" }, s.availableCount);
      }
    },
  });
  new Gauge({
    name: "alicia_lb_requests_per_second",
    help: "Throughput over the last recording interval (instance \"\" is the whole service)",
    labelNames: SI,
    registers: [registry],
    collect() {
      this.reset();
      for (const l of sources.latency?.() ?? []) this.set({ service: l.service, instance: l.instance }, l.requestsPerSecond);
    },
  });
  new Gauge({
    name: "alicia_lb_response_time_ms",
    help: "Response-time quantiles over the last recording interval, from its latency histogram",
    labelNames: [...SI, "quantile"],
    registers: [registry],
    collect() {
      this.reset();
      for (const l of sources.latency?.() ?? []) {
        const labels = { service: l.service, instance: l.instance };
        this.set({ ...labels, quantile: "0.5" }, l.p50Ms);
        this.set({ ...labels, quantile: "0.95" }, l.p95Ms);
        this.set({ ...labels, quantile: "0.99" }, l.p99Ms);
      }
    },
  });
  const buffers: [string, string, (() => { buffered: number; dropped: number; written: number } | undefined) | undefined][] = [
    ["stats_samples", "stat samples", sources.statsBuffer],
    ["events", "events", sources.eventStore],
  ];
  for (const [name, what, read] of buffers) {
    new Gauge({
      name: `alicia_lb_${name}_buffered`,
      help: `${what} waiting to be written to the database`,
      registers: [registry],
      collect() {
        this.set(read?.()?.buffered ?? 0);
      },
    });
    new Counter({
      name: `alicia_lb_${name}_written_total`,
      help: `${what} written to the database`,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read?.()?.written ?? 0);
      },
    });
    new Counter({
      name: `alicia_lb_${name}_dropped_total`,
      help: `${what} dropped because the buffer was full while the database was unreachable`,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read?.()?.dropped ?? 0);
      },
    });
  }
  new Gauge({
    name: "alicia_lb_mqtt_connected",
    help: "1 while the MQTT broker connection is up",
    registers: [registry],
    collect() {
      this.set(sources.mqtt?.()?.connected ? 1 : 0);
    },
  });
  new Gauge({
    name: "alicia_lb_mqtt_events_queued",
    help: "Events waiting to be published (the broker is unreachable or slow)",
    registers: [registry],
    collect() {
      this.set(sources.mqtt?.()?.queued ?? 0);
    },
  });
  new Counter({
    name: "alicia_lb_mqtt_messages_published_total",
    help: "Event messages acknowledged by the broker",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.mqtt?.()?.published ?? 0);
    },
  });
  new Counter({
    name: "alicia_lb_mqtt_messages_dropped_total",
    help: "Event messages dropped because the queue was full during a broker outage",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.mqtt?.()?.dropped ?? 0);
    },
  });
  new Counter({
    name: "alicia_lb_discovery_messages_total",
    help: "Service-discovery messages applied (by event type) and rejected (by reason)",
    labelNames: ["outcome", "kind"],
    registers: [registry],
    collect() {
      this.reset();
      const d = sources.discovery?.();
      if (d === undefined) return;
      for (const [kind, n] of Object.entries(d.applied)) this.inc({ outcome: "applied", kind }, n);
      for (const [kind, n] of Object.entries(d.rejected)) this.inc({ outcome: "rejected", kind }, n ?? 0);
    },
  });
  return registry;
}
