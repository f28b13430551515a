/**
 * Public surface of the active health checker (a ring around the engine: it
 * probes instances over HTTP/TCP, asks the MQTT ring's heartbeat verdict through
 * an injected callback, and reports to engine.recordHealthCheck). Code outside
 * server/health imports only this file.
 */

export {
  AVAILABILITY_MAX_AGE_MS,
  DEFAULT_JITTER,
  DEFAULT_RECOVERY_INTERVAL_MS,
  FIRST_CHECK_SPREAD_MS,
  MAX_JITTER,
  createHealthChecker,
} from "./health-checker";
export type { HealthChecker, HealthCheckerOptions } from "./health-checker";
export { HEALTH_USER_AGENT } from "./probes";
export type { HeartbeatStatus } from "./probes";
