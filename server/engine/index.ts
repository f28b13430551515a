/**
 * Public surface of the balancing engine (pure core: no I/O, no timers, no
 * ambient time or randomness). Code outside server/engine imports only this file.
 */

export {
  ALGORITHMS,
  DEFAULT_BREAKER,
  DEFAULT_HEALTH,
  DEFAULT_REQUEST_TIMEOUT_MS,
  HEALTH_CHECK_METHODS,
  OUTCOMES,
  instanceId,
  isAlgorithm,
  isFailure,
  originOf,
  seededRng,
  serviceName,
} from "./types";
export type {
  Algorithm,
  BreakerSettings,
  BreakerSnapshot,
  BreakerStateKind,
  Clock,
  HealthCheckMethod,
  HealthSettings,
  HealthStatus,
  InstanceConfig,
  InstanceId,
  InstanceSnapshot,
  InstanceWindowStats,
  LatencySummary,
  Outcome,
  Rng,
  ServiceConfig,
  ServiceName,
  ServiceSettingsSnapshot,
  ServiceSnapshot,
  ServiceWindowStats,
  StatsSnapshot,
  WindowStats,
} from "./types";
export { createEngine, EngineError } from "./engine";
export type { Engine, EngineErrorCode, EngineOptions, Lease, ServiceView } from "./engine";
export { ENGINE_EVENT_TYPES } from "./events";
export { ROUTING_ERROR_KINDS } from "./routing-errors";
export type { RoutingError, RoutingErrorKind } from "./routing-errors";
export type { EngineEvent, EngineEventType, InstanceChange, ListenerErrorHandler, ServiceChange } from "./events";
export { HISTOGRAM_LENGTH, HISTOGRAM_MAX_US, LatencyHistogram, mergeHistograms } from "./histogram";
export { INSTANCE_ID_PATTERN, MAX_WEIGHT, RESERVED_NAMES, SERVICE_NAME_PATTERN, validateInstanceConfig, validateServiceConfig } from "./validate";
