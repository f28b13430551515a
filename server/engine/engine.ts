/**
 * The engine: registry of services and instances, eligibility, the hot path
 * (acquire/release), health and breaker feeding, events and stats windows.
 *
 * Eligible = enabled, not draining, weight > 0, health not "unhealthy" (unknown
 * is eligible so traffic flows before the first check), breaker closed or
 * half_open with a free probe slot, and active < maxConnectionsPerInstance.
 * Each instance's `eligible` flag is recomputed in O(1) after any change that can
 * affect it; when one flips, the service's snapshot is marked dirty and rebuilt
 * (O(n), plus the picker's build) on the next acquire — never scanned per pick.
 * Time-driven state (open → half_open) advances lazily in acquire, which checks
 * one number (the service's earliest breaker deadline), and in tick().
 *
 * Invariants: a lease is released at most once; service.active = Σ instance.active
 * over its leases, removed instances included until their leases are released;
 * events are delivered after the state they describe is complete.
 * Cost: acquire = one Map lookup + the picker (O(1)/O(log n)) + one Lease
 * allocation; release O(1) (+ O(log n) heap re-sift for least_connections).
 */

import { EngineError } from "./errors";
import { EventBus } from "./events";
import type { BreakerTransition, EngineEvent, EngineEventType, EventListener, HealthTransition, InstanceChange, ListenerErrorHandler, ServiceChange } from "./events";
import { HashRing } from "./hash-ring";
import { InstanceState } from "./instance-state";
import type { Picker, PickerMemory } from "./picker";
import { createPicker } from "./pickers";
import { RoutingErrorLimiter, type RoutingError, type RoutingErrorSummary } from "./routing-errors";
import { StatsWindow } from "./stats";
import type {
  BreakerSettings,
  Clock,
  HealthSettings,
  InstanceConfig,
  InstanceId,
  InstanceSnapshot,
  Outcome,
  Rng,
  ServiceConfig,
  ServiceName,
  ServiceSnapshot,
  StatsSnapshot,
} from "./types";
import { isFailure, originOf } from "./types";
import { validateInstanceConfig, validateServiceConfig } from "./validate";

export { EngineError } from "./errors";
export type { EngineErrorCode } from "./errors";

export interface ServiceView {
  readonly name: ServiceName;
  readonly config: ServiceConfig;
}

export interface Lease {
  readonly service: ServiceName;
  readonly instanceId: InstanceId;
  readonly host: string;
  readonly port: number;
  /** `host:port` (`[host]:port` for an IPv6 address): the upstream's authority, one string per instance. */
  readonly origin: string;
  /** Clock ms at acquire. */
  readonly startedAt: number;
}

export interface EngineOptions {
  clock: Clock;
  rng: Rng;
  /** Receives errors thrown by event listeners; without it the first one is rethrown after delivery. */
  onListenerError?: ListenerErrorHandler | undefined;
}

export interface Engine {
  /** Create or update settings/algorithm (an algorithm switch takes effect on the next pick). */
  upsertService(config: ServiceConfig, reason?: string): void;
  /** Throws NOT_FOUND if unknown. In-flight leases still release fine. */
  removeService(name: ServiceName, reason?: string): void;
  /** Throws NOT_FOUND if the service is unknown, INVALID for a bad config. */
  upsertInstance(service: ServiceName, config: InstanceConfig, reason?: string): void;
  /** Throws NOT_FOUND if unknown. In-flight leases still release fine afterwards. */
  removeInstance(service: ServiceName, id: InstanceId, reason?: string): void;
  /** Hot path: a Map lookup, no allocation. */
  getService(name: string): ServiceView | undefined;
  listServices(): ServiceSnapshot[];
  /** One service's snapshot, or undefined. */
  getServiceSnapshot(name: string): ServiceSnapshot | undefined;
  /**
   * Hot path. Picks among the eligible candidates excluding `exclude` (an instance
   * already tried, for retries) and counts the request as active on it. Returns
   * undefined when none is available (or the view is stale). `hashKey` is used by
   * consistent_hash only.
   */
  acquire(service: ServiceView, hashKey?: string, exclude?: InstanceId): Lease | undefined;
  /** Records the result once (a second call is a no-op): active--, breaker (isFailure), stats (µs). */
  release(lease: Lease, outcome: Outcome, latencyUs: number): void;
  /** Health check result: rise/fall state; a failed check also counts as a breaker failure. */
  recordHealthCheck(service: ServiceName, id: InstanceId, passed: boolean, reason?: string): void;
  resetBreaker(service: ServiceName, id: InstanceId, reason: string): void;
  /** Throws CONFLICT if already forced open. */
  forceOpenBreaker(service: ServiceName, id: InstanceId, reason: string): void;
  /** Advance time-driven state (open → half_open); acquire also checks lazily. */
  tick(): void;
  /**
   * A request the balancer could not route (its own 502/503/504). Emitted as a
   * `routing_error` event at most once a second per service and kind; the ones
   * in between are counted into the next event (RoutingErrorLimiter).
   */
  reportRoutingError(service: ServiceName, error: RoutingError): void;
  /** The stats recorder had to drop samples (its buffer was full while the database was unreachable). */
  reportStatsDropped(count: number, reason: string): void;
  /** Subscribe to one event type or "*"; returns a disposer. */
  on<K extends EngineEventType>(type: K | "*", listener: (e: Extract<EngineEvent, { type: K }>) => void): () => void;
  /** Take-and-reset the interval counters of every service and instance, plus cumulative totals. */
  drainStats(): StatsSnapshot;
}

/**
 * One allocation per acquire: where the request goes (captured at acquire, so
 * a later move of the instance does not rewrite it) and the engine's
 * bookkeeping (not on the Lease interface).
 */
class LeaseImpl implements Lease {
  readonly service: ServiceName;
  readonly instanceId: InstanceId;
  readonly host: string;
  readonly port: number;
  readonly origin: string;
  released = false;

  constructor(
    readonly engine: EngineImpl,
    readonly svc: ServiceState,
    readonly inst: InstanceState,
    readonly breakerEpoch: number,
    readonly startedAt: number,
  ) {
    this.service = svc.name;
    this.instanceId = inst.id;
    this.host = inst.host;
    this.port = inst.port;
    this.origin = inst.origin;
  }
}

class ServiceState implements ServiceView {
  readonly name: ServiceName;
  config: ServiceConfig;
  readonly instances = new Map<InstanceId, InstanceState>();
  snapshot: InstanceState[] = [];
  picker: Picker | undefined;
  dirty = true;
  ring: HashRing | undefined;
  ringDirty = true;
  readonly memory: PickerMemory = { rrLastSeq: -1, lcCounter: 0 };
  nextBreakerDueAt = Number.POSITIVE_INFINITY;
  active = 0;
  removed = false;
  readonly stats = new StatsWindow();

  constructor(config: ServiceConfig) {
    this.name = config.name;
    this.config = config;
  }
}

function freezeServiceConfig(config: ServiceConfig): ServiceConfig {
  return Object.freeze({
    name: config.name,
    algorithm: config.algorithm,
    maxConnectionsPerInstance: config.maxConnectionsPerInstance,
    breaker: Object.freeze({
      failureThreshold: config.breaker.failureThreshold,
      recoveryTimeoutMs: config.breaker.recoveryTimeoutMs,
      maxRecoveryTimeoutMs: config.breaker.maxRecoveryTimeoutMs,
      successThreshold: config.breaker.successThreshold,
      halfOpenMaxProbes: config.breaker.halfOpenMaxProbes,
    }),
    health: Object.freeze({
      healthyThreshold: config.health.healthyThreshold,
      unhealthyThreshold: config.health.unhealthyThreshold,
      methods: Object.freeze([...config.health.methods]),
      path: config.health.path,
      intervalMs: config.health.intervalMs,
      timeoutMs: config.health.timeoutMs,
    }),
    requestTimeoutMs: config.requestTimeoutMs,
    hashHeader: config.hashHeader,
  });
}

function sameBreaker(a: BreakerSettings, b: BreakerSettings): boolean {
  return (
    a.failureThreshold === b.failureThreshold &&
    a.recoveryTimeoutMs === b.recoveryTimeoutMs &&
    a.maxRecoveryTimeoutMs === b.maxRecoveryTimeoutMs &&
    a.successThreshold === b.successThreshold &&
    a.halfOpenMaxProbes === b.halfOpenMaxProbes
  );
}

function sameHealth(a: HealthSettings, b: HealthSettings): boolean {
  return (
    a.healthyThreshold === b.healthyThreshold &&
    a.unhealthyThreshold === b.unhealthyThreshold &&
    a.methods.length === b.methods.length &&
    a.methods.every((m, i) => b.methods[i] === m) &&
    a.path === b.path &&
    a.intervalMs === b.intervalMs &&
    a.timeoutMs === b.timeoutMs
  );
}

function invalid(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    if (error instanceof RangeError) throw new EngineError("INVALID", error.message, { cause: error });
    throw error;
  }
}

class EngineImpl implements Engine {
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly bus: EventBus;
  private readonly services = new Map<ServiceName, ServiceState>();
  private nextSeq = 0;
  private lastDrainAt: number;
  private totalRequests = 0;
  private totalFailed = 0;
  private readonly routingErrors = new RoutingErrorLimiter();

  constructor(options: EngineOptions) {
    this.clock = options.clock;
    this.rng = options.rng;
    this.bus = new EventBus(options.onListenerError);
    this.lastDrainAt = options.clock.now();
  }

  // ── configuration ────────────────────────────────────────────────────────

  upsertService(config: ServiceConfig, reason?: string): void {
    invalid(() => {
      validateServiceConfig(config);
    });
    const now = this.clock.now();
    const next = freezeServiceConfig(config);
    const svc = this.services.get(next.name);
    if (svc === undefined) {
      this.services.set(next.name, new ServiceState(next));
      this.bus.enqueue({
        type: "service_registered",
        service: next.name,
        at: now,
        reason: reason ?? "service registered",
        algorithm: next.algorithm,
      });
      this.bus.flush();
      return;
    }
    const prev = svc.config;
    const changes: ServiceChange[] = [];
    if (prev.algorithm !== next.algorithm) changes.push({ field: "algorithm", from: prev.algorithm, to: next.algorithm });
    if (prev.maxConnectionsPerInstance !== next.maxConnectionsPerInstance) {
      changes.push({ field: "maxConnectionsPerInstance", from: prev.maxConnectionsPerInstance, to: next.maxConnectionsPerInstance });
    }
    if (!sameBreaker(prev.breaker, next.breaker)) changes.push({ field: "breaker", from: prev.breaker, to: next.breaker });
    if (!sameHealth(prev.health, next.health)) changes.push({ field: "health", from: prev.health, to: next.health });
    if (prev.requestTimeoutMs !== next.requestTimeoutMs) {
      changes.push({ field: "requestTimeoutMs", from: prev.requestTimeoutMs, to: next.requestTimeoutMs });
    }
    if (prev.hashHeader !== next.hashHeader) {
      changes.push({ field: "hashHeader", from: prev.hashHeader ?? null, to: next.hashHeader ?? null });
    }
    if (changes.length === 0) return;
    svc.config = next;
    if (prev.algorithm !== next.algorithm) svc.dirty = true;
    for (const inst of svc.instances.values()) {
      inst.breaker.settings = next.breaker;
      inst.health.settings = next.health;
      this.refreshEligible(svc, inst);
    }
    const why = reason ?? "service settings updated";
    this.bus.enqueue({ type: "service_updated", service: svc.name, at: now, reason: why, changes });
    if (prev.algorithm !== next.algorithm) {
      this.bus.enqueue({
        type: "algorithm_changed",
        service: svc.name,
        at: now,
        reason: why,
        from: prev.algorithm,
        to: next.algorithm,
      });
    }
    this.bus.flush();
  }

  removeService(name: ServiceName, reason?: string): void {
    const svc = this.requireService(name);
    const now = this.clock.now();
    const why = reason ?? "service removed";
    svc.removed = true;
    this.routingErrors.forget(name);
    svc.picker?.dispose();
    svc.picker = undefined;
    for (const inst of svc.instances.values()) {
      inst.removed = true;
      inst.eligible = false;
      this.bus.enqueue({ type: "instance_unregistered", service: name, instanceId: inst.id, at: now, reason: why });
    }
    this.services.delete(name);
    this.bus.enqueue({ type: "service_unregistered", service: name, at: now, reason: why });
    this.bus.flush();
  }

  upsertInstance(service: ServiceName, config: InstanceConfig, reason?: string): void {
    invalid(() => {
      validateInstanceConfig(config);
    });
    const svc = this.requireService(service);
    const now = this.clock.now();
    const existing = svc.instances.get(config.id);
    if (existing === undefined) {
      const inst: InstanceState = new InstanceState(
        config,
        this.nextSeq++,
        now,
        svc.config.breaker,
        svc.config.health,
        (t) => {
          this.onBreaker(svc, inst, t);
        },
        (t) => {
          this.onHealth(svc, inst, t);
        },
      );
      svc.instances.set(inst.id, inst);
      svc.ringDirty = true;
      svc.dirty = true;
      this.refreshEligible(svc, inst);
      this.bus.enqueue({
        type: "instance_registered",
        service,
        instanceId: inst.id,
        at: now,
        reason: reason ?? "instance registered",
        host: inst.host,
        port: inst.port,
        weight: inst.weight,
        enabled: inst.enabled,
        draining: inst.draining,
      });
      this.bus.flush();
      return;
    }
    const inst = existing;
    const changes: InstanceChange[] = [];
    if (inst.weight !== config.weight) {
      changes.push({ field: "weight", from: inst.weight, to: config.weight });
      inst.weight = config.weight;
      svc.ringDirty = true;
      svc.dirty = true;
    }
    if (inst.enabled !== config.enabled) {
      changes.push({ field: "enabled", from: inst.enabled, to: config.enabled });
      inst.enabled = config.enabled;
    }
    if (inst.draining !== config.draining) {
      changes.push({ field: "draining", from: inst.draining, to: config.draining });
      inst.draining = config.draining;
    }
    // The source label is bookkeeping, not behaviour: kept without an event.
    inst.source = config.source ?? inst.source;
    if (inst.host !== config.host) {
      changes.push({ field: "host", from: inst.host, to: config.host });
      inst.host = config.host;
      inst.origin = originOf(inst.host, inst.port);
    }
    if (inst.port !== config.port) {
      changes.push({ field: "port", from: inst.port, to: config.port });
      inst.port = config.port;
      inst.origin = originOf(inst.host, inst.port);
    }
    if (changes.length === 0) return;
    this.refreshEligible(svc, inst);
    this.bus.enqueue({
      type: "instance_updated",
      service,
      instanceId: inst.id,
      at: now,
      reason: reason ?? "instance updated",
      changes,
    });
    this.bus.flush();
  }

  removeInstance(service: ServiceName, id: InstanceId, reason?: string): void {
    const svc = this.requireService(service);
    const inst = this.requireInstance(svc, id);
    inst.removed = true;
    inst.eligible = false;
    svc.instances.delete(id);
    svc.dirty = true;
    svc.ringDirty = true;
    this.bus.enqueue({
      type: "instance_unregistered",
      service,
      instanceId: id,
      at: this.clock.now(),
      reason: reason ?? "instance removed",
    });
    this.bus.flush();
  }

  // ── queries ──────────────────────────────────────────────────────────────

  getService(name: string): ServiceView | undefined {
    return this.services.get(name as ServiceName);
  }

  listServices(): ServiceSnapshot[] {
    return Array.from(this.services.values(), (svc) => this.snapshotOf(svc));
  }

  getServiceSnapshot(name: string): ServiceSnapshot | undefined {
    const svc = this.services.get(name as ServiceName);
    return svc === undefined ? undefined : this.snapshotOf(svc);
  }

  // ── hot path ─────────────────────────────────────────────────────────────

  acquire(service: ServiceView, hashKey?: string, exclude?: InstanceId): Lease | undefined {
    const svc = this.services.get(service.name);
    if (svc === undefined || svc !== service) return undefined;
    const now = this.clock.now();
    if (now >= svc.nextBreakerDueAt) this.promoteDue(svc, now);
    let picker = svc.picker;
    if (svc.dirty || picker === undefined) picker = this.rebuild(svc);
    const chosen = picker.pick(exclude === undefined ? undefined : svc.instances.get(exclude), hashKey);
    if (chosen === undefined) {
      this.bus.flush();
      return undefined;
    }
    const breakerEpoch = chosen.breaker.epoch;
    chosen.breaker.onAcquire();
    chosen.active++;
    svc.active++;
    picker.activeChanged(chosen);
    this.refreshEligible(svc, chosen);
    this.bus.flush();
    return new LeaseImpl(this, svc, chosen, breakerEpoch, now);
  }

  release(lease: Lease, outcome: Outcome, latencyUs: number): void {
    const internal = lease instanceof LeaseImpl ? lease : undefined;
    if (internal?.engine !== this) throw new EngineError("INVALID", "release: not a lease from this engine");
    if (internal.released) return;
    if (!(latencyUs >= 0) || latencyUs === Number.POSITIVE_INFINITY) {
      throw new RangeError(`release: latencyUs must be a finite number >= 0, got ${String(latencyUs)}`);
    }
    internal.released = true;
    const { svc, inst } = internal;
    const failed = isFailure(outcome);
    inst.active--;
    svc.active--;
    inst.totalRequests++;
    this.totalRequests++;
    if (failed) {
      inst.failedRequests++;
      this.totalFailed++;
    }
    inst.stats.recordOutcome(outcome, latencyUs);
    if (svc.removed) return;
    svc.stats.recordOutcome(outcome, latencyUs);
    if (inst.removed) return;
    const now = this.clock.now();
    // Only least_response_time reads the estimate; feeding it only then keeps one
    // more object off other algorithms' hot path (it re-converges within ~10 s).
    if (outcome !== "client_abort" && svc.config.algorithm === "least_response_time") inst.ewma.observe(now, latencyUs);
    if (internal.breakerEpoch === inst.breaker.epoch) inst.breaker.onLeaseResult(now, outcome);
    svc.picker?.activeChanged(inst);
    this.refreshEligible(svc, inst);
    this.bus.flush();
  }

  // ── health and breakers ──────────────────────────────────────────────────

  recordHealthCheck(service: ServiceName, id: InstanceId, passed: boolean, reason?: string): void {
    const svc = this.requireService(service);
    const inst = this.requireInstance(svc, id);
    const now = this.clock.now();
    inst.health.record(now, passed, reason);
    if (!passed) inst.breaker.onCheckFailed(now, reason ?? "health check failed");
    this.bus.flush();
  }

  resetBreaker(service: ServiceName, id: InstanceId, reason: string): void {
    const inst = this.requireInstance(this.requireService(service), id);
    inst.breaker.reset(this.clock.now(), reason);
    this.bus.flush();
  }

  forceOpenBreaker(service: ServiceName, id: InstanceId, reason: string): void {
    const inst = this.requireInstance(this.requireService(service), id);
    inst.breaker.forceOpen(this.clock.now(), reason);
    this.bus.flush();
  }

  tick(): void {
    const now = this.clock.now();
    for (const svc of this.services.values()) if (now >= svc.nextBreakerDueAt) this.promoteDue(svc, now);
    for (const summary of this.routingErrors.flush(now)) this.enqueueRoutingError(summary, now);
    this.bus.flush();
  }

  reportRoutingError(service: ServiceName, error: RoutingError): void {
    const now = this.clock.now();
    const summary = this.routingErrors.report(service, error, now);
    if (summary === undefined) return;
    this.enqueueRoutingError(summary, now);
    this.bus.flush();
  }

  reportStatsDropped(count: number, reason: string): void {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`dropped sample count must be a positive integer, got ${count}`);
    this.bus.enqueue({ type: "stats_dropped", at: this.clock.now(), reason, count });
    this.bus.flush();
  }

  private enqueueRoutingError(summary: RoutingErrorSummary, now: number): void {
    const { error } = summary;
    this.bus.enqueue({
      type: "routing_error",
      service: summary.service,
      at: now,
      reason: error.detail,
      kind: error.kind,
      status: error.status,
      instanceId: error.instanceId ?? null,
      requestId: error.requestId,
      count: summary.count,
    });
  }

  on<K extends EngineEventType>(type: K | "*", listener: EventListener<K>): () => void {
    return this.bus.on(type, listener);
  }

  // ── stats ────────────────────────────────────────────────────────────────

  drainStats(): StatsSnapshot {
    const now = this.clock.now();
    const intervalMs = now - this.lastDrainAt;
    this.lastDrainAt = now;
    const services = Array.from(this.services.values(), (svc) => ({
      name: svc.name,
      algorithm: svc.config.algorithm,
      ...svc.stats.take(svc.active),
      instances: Array.from(svc.instances.values(), (inst) => ({ id: inst.id, ...inst.stats.take(inst.active) })),
    }));
    return { at: now, intervalMs, services, totals: { requests: this.totalRequests, failed: this.totalFailed } };
  }

  // ── internals ────────────────────────────────────────────────────────────

  private requireService(name: ServiceName): ServiceState {
    const svc = this.services.get(name);
    if (svc === undefined) throw new EngineError("NOT_FOUND", `unknown service ${JSON.stringify(name)}`);
    return svc;
  }

  private requireInstance(svc: ServiceState, id: InstanceId): InstanceState {
    const inst = svc.instances.get(id);
    if (inst === undefined) {
      throw new EngineError("NOT_FOUND", `unknown instance ${JSON.stringify(id)} in service ${JSON.stringify(svc.name)}`);
    }
    return inst;
  }

  private isEligible(svc: ServiceState, inst: InstanceState): boolean {
    return (
      !inst.removed &&
      inst.enabled &&
      !inst.draining &&
      inst.weight > 0 &&
      inst.health.status !== "unhealthy" &&
      inst.active < svc.config.maxConnectionsPerInstance &&
      inst.breaker.admits()
    );
  }

  private refreshEligible(svc: ServiceState, inst: InstanceState): void {
    const eligible = this.isEligible(svc, inst);
    if (eligible !== inst.eligible) {
      inst.eligible = eligible;
      svc.dirty = true;
    }
  }

  private rebuild(svc: ServiceState): Picker {
    svc.picker?.dispose();
    const snapshot: InstanceState[] = [];
    for (const inst of svc.instances.values()) {
      if (!inst.eligible) continue;
      inst.snapIndex = snapshot.length;
      snapshot.push(inst);
    }
    if (svc.config.algorithm === "consistent_hash" && (svc.ringDirty || svc.ring === undefined)) {
      svc.ring = HashRing.build(svc.instances.values());
      svc.ringDirty = false;
    }
    const picker = createPicker(svc.config.algorithm, snapshot, {
      rng: this.rng,
      clock: this.clock,
      memory: svc.memory,
      ring: svc.ring,
    });
    svc.snapshot = snapshot;
    svc.picker = picker;
    svc.dirty = false;
    return picker;
  }

  private promoteDue(svc: ServiceState, now: number): void {
    let next = Number.POSITIVE_INFINITY;
    for (const inst of svc.instances.values()) {
      const breaker = inst.breaker;
      if (breaker.kind !== "open") continue;
      if (!breaker.promote(now)) next = Math.min(next, breaker.dueAt());
    }
    svc.nextBreakerDueAt = next;
  }

  private onBreaker(svc: ServiceState, inst: InstanceState, t: BreakerTransition): void {
    if (t.type === "breaker_opened") svc.nextBreakerDueAt = Math.min(svc.nextBreakerDueAt, t.halfOpenAt);
    this.refreshEligible(svc, inst);
    this.bus.enqueue({ ...t, service: svc.name, instanceId: inst.id });
  }

  private onHealth(svc: ServiceState, inst: InstanceState, t: HealthTransition): void {
    this.refreshEligible(svc, inst);
    this.bus.enqueue({ ...t, service: svc.name, instanceId: inst.id });
  }

  private snapshotOf(svc: ServiceState): ServiceSnapshot {
    const now = this.clock.now();
    if (now >= svc.nextBreakerDueAt) {
      this.promoteDue(svc, now);
      this.bus.flush();
    }
    const instances: InstanceSnapshot[] = [];
    let healthyCount = 0;
    let availableCount = 0;
    for (const inst of svc.instances.values()) {
      if (inst.health.status === "healthy") healthyCount++;
      if (inst.eligible) availableCount++;
      instances.push({
        id: inst.id,
        host: inst.host,
        port: inst.port,
        weight: inst.weight,
        enabled: inst.enabled,
        draining: inst.draining,
        source: inst.source,
        health: inst.health.status,
        lastHealthReason: inst.health.lastReason,
        breaker: inst.breaker.toSnapshot(),
        activeConnections: inst.active,
        totalRequests: inst.totalRequests,
        failedRequests: inst.failedRequests,
        eligible: inst.eligible,
      });
    }
    const c = svc.config;
    return {
      name: svc.name,
      algorithm: c.algorithm,
      settings: {
        maxConnectionsPerInstance: c.maxConnectionsPerInstance,
        breaker: { ...c.breaker },
        health: { ...c.health },
        hashHeader: c.hashHeader,
      },
      instances,
      healthyCount,
      availableCount,
      activeConnections: svc.active,
    };
  }
}

export function createEngine(options: EngineOptions): Engine {
  const { clock, rng } = options as Partial<EngineOptions>;
  if (typeof clock?.now !== "function") throw new RangeError("createEngine: options.clock must have a now() method");
  if (typeof rng?.nextUint32 !== "function") throw new RangeError("createEngine: options.rng must have a nextUint32() method");
  return new EngineImpl(options);
}
