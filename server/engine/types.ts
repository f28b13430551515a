/**
 * Engine vocabulary: branded ids, the algorithm list, the injected Clock and Rng,
 * service/instance configuration, the one failure predicate, and the plain
 * serializable snapshot shapes handed to the admin API and the stats recorder.
 *
 * Invariants: everything here is data or a pure function; no I/O, no ambient time.
 * Cost: O(1) everywhere.
 *
 * Sources: DEFAULT_BREAKER follows the seed chapter (5 failures, 60 s recovery,
 * 3 successes) with a 10 min back-off cap; DEFAULT_HEALTH is HAProxy's
 * `rise 2 fall 3`; seededRng is mulberry32 (Tommy Ettinger, public domain).
 */

export type ServiceName = string & { readonly __brand: "ServiceName" };
export type InstanceId = string & { readonly __brand: "InstanceId" };

/** Brands a string as a service name (no validation; see validateServiceConfig). */
export function serviceName(value: string): ServiceName {
  return value as ServiceName;
}

/** Brands a string as an instance id (no validation; see validateInstanceConfig). */
export function instanceId(value: string): InstanceId {
  return value as InstanceId;
}

export const ALGORITHMS = [
  "round_robin",
  "least_connections",
  "weighted_round_robin",
  "random",
  "power_of_two_choices",
  "least_response_time",
  "consistent_hash",
] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === "string" && (ALGORITHMS as readonly string[]).includes(value);
}

/** Milliseconds, monotonic. Production passes performance.now-based time; tests a fake. */
export interface Clock {
  now(): number;
}

/** Uniform integers in 0..2^32-1. */
export interface Rng {
  nextUint32(): number;
}

/**
 * Deterministic mulberry32 generator. Same seed, same sequence: tests are exact,
 * and production seeds it once from the caller's entropy.
 */
export function seededRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seededRng: seed must be a finite number, got ${String(seed)}`);
  let state = seed >>> 0;
  return {
    nextUint32(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (t ^ (t >>> 14)) >>> 0;
    },
  };
}

/** Uniform integer in [0, n) from one Rng draw (multiply-shift, no modulo bias worth naming for n < 2^20). */
export function uniformIndex(rng: Rng, n: number): number {
  return Math.floor((rng.nextUint32() * n) / 4294967296);
}

export interface BreakerSettings {
  /** Consecutive failures (closed state) that open the breaker. */
  failureThreshold: number;
  /** First open period; doubles on each re-open from half_open. */
  recoveryTimeoutMs: number;
  /** Cap of the doubling back-off. */
  maxRecoveryTimeoutMs: number;
  /** Successful probes in half_open that close the breaker. */
  successThreshold: number;
  /** Concurrent probe requests admitted while half_open. */
  halfOpenMaxProbes: number;
}

/** How an instance is checked: HTTP GET of a path (2xx passes), TCP connect, or MQTT heartbeats. */
export const HEALTH_CHECK_METHODS = ["http", "tcp", "mqtt"] as const;
export type HealthCheckMethod = (typeof HEALTH_CHECK_METHODS)[number];

export interface HealthSettings {
  /** Consecutive passed checks that turn an unhealthy instance healthy (HAProxy `rise`). */
  healthyThreshold: number;
  /** Consecutive failed checks that turn an instance unhealthy (HAProxy `fall`). */
  unhealthyThreshold: number;
  /** Methods tried in order; the first that passes decides (the seed's http → mqtt → tcp). */
  methods: readonly HealthCheckMethod[];
  /** Path of the HTTP check. */
  path: string;
  /** Time between checks of one instance (seed default 30 s). */
  intervalMs: number;
  /** A check that takes longer fails. */
  timeoutMs: number;
}

export interface ServiceConfig {
  name: ServiceName;
  algorithm: Algorithm;
  /** An instance with this many active requests is not picked. May be Infinity. */
  maxConnectionsPerInstance: number;
  breaker: BreakerSettings;
  health: HealthSettings;
  /** Upstream response-headers timeout of a proxied request (seed default 30 s). */
  requestTimeoutMs: number;
  /** Request header whose value is the consistent_hash key (read by the proxy). */
  hashHeader?: string | undefined;
}

export interface InstanceConfig {
  id: InstanceId;
  host: string;
  port: number;
  /** Integer 0..MAX_WEIGHT. Weight 0 takes no new traffic with any algorithm (as HAProxy). */
  weight: number;
  enabled: boolean;
  draining: boolean;
  /** Who manages it (e.g. "manual", "discovery"): a label the engine keeps and reports, nothing more. */
  source?: string | undefined;
}

/** Seed chapter defaults (5 failures, 60 s, 3 successes, one probe); back-off capped at 10 min. */
export const DEFAULT_BREAKER: BreakerSettings = Object.freeze({
  failureThreshold: 5,
  recoveryTimeoutMs: 60_000,
  maxRecoveryTimeoutMs: 600_000,
  successThreshold: 3,
  halfOpenMaxProbes: 1,
});

/** HAProxy `rise 2 fall 3`; the seed's 30 s interval and HTTP check; a 5 s check timeout. */
export const DEFAULT_HEALTH: HealthSettings = Object.freeze({
  healthyThreshold: 2,
  unhealthyThreshold: 3,
  methods: Object.freeze(["http"] as const),
  path: "/health",
  intervalMs: 30_000,
  timeoutMs: 5_000,
});

/** The seed's upstream request timeout. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export const OUTCOMES = ["success", "http_5xx", "connect_error", "timeout", "client_abort", "http_4xx"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * The HTTP authority of an instance: `host:port`, with an IPv6 address in
 * brackets (`[::1]:8080`). One string per instance, so the proxy's pool lookups
 * and Host headers reuse it instead of building one per request.
 */
export function originOf(host: string, port: number): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The ONE failure predicate (opossum's errorFilter idea, made a named function):
 * 5xx, connection errors and timeouts say the instance is unwell; a 4xx is the
 * client's fault and a client abort says nothing about the instance.
 */
export function isFailure(outcome: Outcome): boolean {
  switch (outcome) {
    case "http_5xx":
    case "connect_error":
    case "timeout":
      return true;
    case "success":
    case "http_4xx":
    case "client_abort":
      return false;
  }
}

export type HealthStatus = "unknown" | "healthy" | "unhealthy";
export type BreakerStateKind = "closed" | "open" | "half_open" | "forced_open";

export interface BreakerSnapshot {
  state: BreakerStateKind;
  consecutiveFailures: number;
  /** When the breaker last opened (open / forced_open only). */
  openedAt?: number | undefined;
  /** When an open breaker will turn half_open (open only). */
  halfOpenAt?: number | undefined;
  /** How many times it has opened (including forced). */
  opens: number;
}

export interface InstanceSnapshot {
  id: InstanceId;
  host: string;
  port: number;
  weight: number;
  enabled: boolean;
  draining: boolean;
  source: string | null;
  health: HealthStatus;
  /** Reason given with the last health check, if any. */
  lastHealthReason?: string | undefined;
  breaker: BreakerSnapshot;
  activeConnections: number;
  totalRequests: number;
  failedRequests: number;
  /** Whether acquire() could pick it right now. */
  eligible: boolean;
}

export interface ServiceSettingsSnapshot {
  maxConnectionsPerInstance: number;
  breaker: BreakerSettings;
  health: HealthSettings;
  hashHeader?: string | undefined;
}

export interface ServiceSnapshot {
  name: ServiceName;
  algorithm: Algorithm;
  settings: ServiceSettingsSnapshot;
  instances: InstanceSnapshot[];
  /** Instances whose health is "healthy" (not "unknown"). */
  healthyCount: number;
  /** Instances acquire() could pick right now. */
  availableCount: number;
  activeConnections: number;
}

export interface LatencySummary {
  count: number;
  avgUs: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
  maxUs: number;
}

export interface WindowStats {
  requests: number;
  failed: number;
  failed5xx: number;
  failedConnect: number;
  failedTimeout: number;
  clientAborts: number;
  status4xx: number;
  /** Gauge at drain time. */
  activeConnections: number;
  latency: LatencySummary;
  /** Sparse encoded latency histogram of the interval (see encodeHistogram), for storage and roll-ups. */
  histogram: number[];
}

export interface InstanceWindowStats extends WindowStats {
  id: InstanceId;
}

export interface ServiceWindowStats extends WindowStats {
  name: ServiceName;
  algorithm: Algorithm;
  instances: InstanceWindowStats[];
}

export interface StatsSnapshot {
  /** Clock time of this drain. */
  at: number;
  /** Time since the previous drain (or since the engine was created). */
  intervalMs: number;
  services: ServiceWindowStats[];
  /** Cumulative counters since the engine was created. */
  totals: { requests: number; failed: number };
}
