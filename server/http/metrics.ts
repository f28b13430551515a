/**
 * Prometheus metrics (prom-client). Everything is read from the engine at
 * scrape time (collect callbacks), so the proxy's hot path touches no metric
 * object of its own.
 */
import { Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { Engine } from "../engine";

export function createMetrics(engine: Engine, proxyInFlight: () => number): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "alicia_lb_process_" });

  new Gauge({
    name: "alicia_lb_proxy_in_flight_requests",
    help: "Requests being forwarded right now",
    registers: [registry],
    collect() {
      this.set(proxyInFlight());
    },
  });
  const labels = ["service", "instance"] as const;
  new Gauge({
    name: "alicia_lb_instance_requests_total",
    help: "Requests forwarded to an instance since start",
    labelNames: labels,
    registers: [registry],
    collect() {
      this.reset();
      for (const service of engine.listServices()) {
        for (const instance of service.instances) {
          this.set({ service: service.name, instance: instance.id }, instance.totalRequests);
        }
      }
    },
  });
  new Gauge({
    name: "alicia_lb_instance_failed_requests_total",
    help: "Requests to an instance that failed (5xx, connect error, timeout) since start",
    labelNames: labels,
    registers: [registry],
    collect() {
      this.reset();
      for (const service of engine.listServices()) {
        for (const instance of service.instances) {
          this.set({ service: service.name, instance: instance.id }, instance.failedRequests);
        }
      }
    },
  });
  new Gauge({
    name: "alicia_lb_instance_active_connections",
    help: "Requests in flight to an instance",
    labelNames: labels,
    registers: [registry],
    collect() {
      this.reset();
      for (const service of engine.listServices()) {
        for (const instance of service.instances) {
          this.set({ service: service.name, instance: instance.id }, instance.activeConnections);
        }
      }
    },
  });
  return registry;
}
