/**
 * Validation of service and instance configuration. Each check throws a RangeError
 * naming the field and the rejected value (STYLE habit 11); the engine wraps it in
 * an EngineError "INVALID" for the admin API.
 *
 * Invariants guaranteed to the rest of the engine: thresholds are positive
 * integers, weights are integers in 0..MAX_WEIGHT (so smooth WRR arithmetic stays
 * exact in doubles: k·w ≤ 2^53 for 10,000 instances), ports are 1..65535.
 * Cost: O(1).
 */

import { HEALTH_CHECK_METHODS, isAlgorithm } from "./types";
import type { BreakerSettings, HealthSettings, InstanceConfig, ServiceConfig } from "./types";

/** Service names: a URL path segment of letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const SERVICE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Instance ids: the same alphabet plus `:`, up to 128 characters (no MQTT wildcards, no slashes). */
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Names that would be dangerous as object keys anywhere downstream. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(["__proto__", "prototype", "constructor"]);

/** Largest instance weight. nginx allows up to 1000 per server; we allow 10,000. */
export const MAX_WEIGHT = 10_000;

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

export function requireInteger(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${field} must be an integer in [${min}, ${max}], got ${show(value)}`);
  }
}

export function requirePositiveMs(field: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${field} must be a finite number of milliseconds > 0, got ${show(value)}`);
  }
}

function requireNonEmptyString(field: string, value: unknown): void {
  if (typeof value !== "string" || value.length === 0) {
    throw new RangeError(`${field} must be a non-empty string, got ${show(value)}`);
  }
}

function requireBoolean(field: string, value: unknown): void {
  if (typeof value !== "boolean") throw new RangeError(`${field} must be a boolean, got ${show(value)}`);
}

export function validateBreakerSettings(settings: BreakerSettings, field = "breaker"): void {
  requireInteger(`${field}.failureThreshold`, settings.failureThreshold, 1, 1_000_000);
  requirePositiveMs(`${field}.recoveryTimeoutMs`, settings.recoveryTimeoutMs);
  requirePositiveMs(`${field}.maxRecoveryTimeoutMs`, settings.maxRecoveryTimeoutMs);
  if (settings.maxRecoveryTimeoutMs < settings.recoveryTimeoutMs) {
    throw new RangeError(
      `${field}.maxRecoveryTimeoutMs must be >= recoveryTimeoutMs (${settings.recoveryTimeoutMs}), got ${settings.maxRecoveryTimeoutMs}`,
    );
  }
  requireInteger(`${field}.successThreshold`, settings.successThreshold, 1, 1_000_000);
  requireInteger(`${field}.halfOpenMaxProbes`, settings.halfOpenMaxProbes, 1, 1_000_000);
}

export function validateHealthSettings(settings: HealthSettings, field = "health"): void {
  requireInteger(`${field}.healthyThreshold`, settings.healthyThreshold, 1, 1_000);
  requireInteger(`${field}.unhealthyThreshold`, settings.unhealthyThreshold, 1, 1_000);
  const methods: readonly unknown[] = Array.isArray(settings.methods) ? settings.methods : [];
  if (
    methods.length === 0 ||
    methods.some((m) => !HEALTH_CHECK_METHODS.some((known) => known === m)) ||
    new Set(methods).size !== methods.length
  ) {
    throw new RangeError(`${field}.methods must be a non-empty list of distinct ${HEALTH_CHECK_METHODS.join(", ")}, got ${show(settings.methods)}`);
  }
  if (typeof settings.path !== "string" || !settings.path.startsWith("/") || settings.path.length > 512) {
    throw new RangeError(`${field}.path must start with "/" (at most 512 characters), got ${show(settings.path)}`);
  }
  requireInteger(`${field}.intervalMs`, settings.intervalMs, 100, 86_400_000);
  requireInteger(`${field}.timeoutMs`, settings.timeoutMs, 10, 600_000);
}

export function validateServiceConfig(config: ServiceConfig): void {
  requireNonEmptyString("service.name", config.name);
  if (!isAlgorithm(config.algorithm)) {
    throw new RangeError(`service.algorithm must be one of the ALGORITHMS, got ${show(config.algorithm)}`);
  }
  const max = config.maxConnectionsPerInstance;
  if (typeof max !== "number" || !(max === Number.POSITIVE_INFINITY || (Number.isInteger(max) && max >= 1))) {
    throw new RangeError(`service.maxConnectionsPerInstance must be an integer >= 1 or Infinity, got ${show(max)}`);
  }
  validateBreakerSettings(config.breaker, "service.breaker");
  validateHealthSettings(config.health, "service.health");
  requireInteger("service.requestTimeoutMs", config.requestTimeoutMs, 1, 3_600_000);
  if (config.hashHeader !== undefined) requireNonEmptyString("service.hashHeader", config.hashHeader);
}

export function validateInstanceConfig(config: InstanceConfig): void {
  requireNonEmptyString("instance.id", config.id);
  requireNonEmptyString("instance.host", config.host);
  requireInteger("instance.port", config.port, 1, 65_535);
  requireInteger("instance.weight", config.weight, 0, MAX_WEIGHT);
  requireBoolean("instance.enabled", config.enabled);
  requireBoolean("instance.draining", config.draining);
}
