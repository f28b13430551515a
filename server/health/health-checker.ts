/**
 * The active health checker: one timer per instance, probing each instance at
 * its service's `health.intervalMs` and feeding the result to
 * `engine.recordHealthCheck`, where the rise/fall hysteresis lives.
 *
 * Owns: the schedule (timers, in-flight checks) and the subscriptions that keep
 * it in step with the engine: a registered instance is checked at once, a
 * removed one (or a removed service) is dropped with its timer and in-flight
 * check, changed health settings apply from the next check, a changed address
 * is re-checked at once.
 *
 * Invariants:
 * - at most one check in flight per instance; the next one is armed only when
 *   the previous has settled (so the period is interval + check duration);
 * - a result is recorded only for the very instance it was taken for: removed,
 *   re-added or re-addressed meanwhile → dropped (and NOT_FOUND from the engine
 *   is caught and dropped too);
 * - no timer callback throws and no promise is left rejected;
 * - after stop() resolves there is no timer, socket or subscription left.
 *
 * Defaults, after HAProxy's checks: `inter` is the service's intervalMs (the
 * seed's 30 s; HAProxy's own default is 2 s), `rise`/`fall` are the service's
 * healthy/unhealthyThreshold (HAProxy `rise 2 fall 3`), `timeout check` is its
 * timeoutMs. Each interval is spread by ±jitter (default 10 %), as HAProxy's
 * `spread-checks` (which it caps at 50 %, as we do) so checks of many instances
 * do not fire in step. A service with no available instance is probed at
 * min(recoveryIntervalMs, intervalMs), like HAProxy's `fastinter`/`downinter`:
 * the seed's "instance recovery" loop, without a second loop.
 *
 * Cost: per check O(1) plus the probe's I/O; whether a service is available is
 * read from one O(n) snapshot, cached per service until one of its events (or
 * AVAILABILITY_MAX_AGE_MS), so n instances cost O(n) per interval, not O(n²).
 */

import { Agent } from "undici";
import { EngineError } from "../engine";
import type { Engine, InstanceId, ServiceName } from "../engine";
import { runProbes } from "./probes";
import type { HeartbeatStatus, ProbeContext } from "./probes";

export interface HealthCheckerOptions {
  engine: Engine;
  /** ms clock used for scheduling decisions; default performance.now-based */
  now?: () => number;
  /** Injected so tests can be deterministic; default Math.random */
  random?: () => number;
  /** For the "mqtt" method (wired later by the MQTT ring): "alive" passes, "stale" fails, "unknown" means no verdict → try the next method. Default: always "unknown". */
  heartbeatStatus?: (service: string, instanceId: string) => HeartbeatStatus;
  /** Faster interval for a service with no available instance (the seed's recovery probing); default 5000 ms, never slower than the service's own interval. */
  recoveryIntervalMs?: number;
  /** Jitter fraction applied to every interval, default 0.1 (±10%), so checks do not fire in step (HAProxy spread-checks). */
  jitter?: number;
  log?: { warn(obj: object, msg: string): void; debug(obj: object, msg: string): void };
}

export interface HealthChecker {
  start(): void;
  stop(): Promise<void>;
  /** checks in flight (tests) */
  inFlight(): number;
  /** run one round now for a service (tests, admin "check now") */
  checkNow(service: string, instanceId?: string): Promise<void>;
}

export const DEFAULT_RECOVERY_INTERVAL_MS = 5_000;
/** HAProxy's spread-checks, as a fraction: ±10 %. */
export const DEFAULT_JITTER = 0.1;
/** HAProxy caps spread-checks at 50 %. */
export const MAX_JITTER = 0.5;
/** First checks (start, new instance) run at once, spread over this window. */
export const FIRST_CHECK_SPREAD_MS = 20;
/** A cached "service has an available instance" is re-read after this long even without an event (lazy breaker promotion, connection caps emit none). */
export const AVAILABILITY_MAX_AGE_MS = 1_000;

interface Target {
  readonly service: ServiceName;
  readonly id: InstanceId;
  host: string;
  port: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** now() at which the armed timer fires; Infinity when none is armed. */
  dueAt: number;
  check: Promise<void> | undefined;
  abort: AbortController | undefined;
  /** The address changed while a check was in flight: check again at once. */
  recheck: boolean;
  removed: boolean;
}

interface Availability {
  available: boolean;
  at: number;
}

const noop = (): void => undefined;

export function createHealthChecker(options: HealthCheckerOptions): HealthChecker {
  return new HealthCheckerImpl(options);
}

class HealthCheckerImpl implements HealthChecker {
  readonly #engine: Engine;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #heartbeatStatus: (service: string, instanceId: string) => HeartbeatStatus;
  readonly #recoveryIntervalMs: number;
  readonly #jitter: number;
  readonly #warn: (obj: object, msg: string) => void;
  readonly #debug: (obj: object, msg: string) => void;

  readonly #targets = new Map<ServiceName, Map<InstanceId, Target>>();
  readonly #availability = new Map<ServiceName, Availability>();
  readonly #checks = new Set<Promise<void>>();
  #disposers: (() => void)[] = [];
  #dispatcher: Agent | undefined;
  #running = false;

  constructor(options: HealthCheckerOptions) {
    const { engine } = options as Partial<HealthCheckerOptions>;
    if (typeof engine?.on !== "function" || typeof engine.recordHealthCheck !== "function") {
      throw new RangeError("createHealthChecker: options.engine must be an Engine");
    }
    const recoveryIntervalMs = options.recoveryIntervalMs ?? DEFAULT_RECOVERY_INTERVAL_MS;
    if (!Number.isFinite(recoveryIntervalMs) || recoveryIntervalMs < 1) {
      throw new RangeError(`createHealthChecker: recoveryIntervalMs must be a finite number ≥ 1, got ${String(recoveryIntervalMs)}`);
    }
    const jitter = options.jitter ?? DEFAULT_JITTER;
    if (!Number.isFinite(jitter) || jitter < 0 || jitter > MAX_JITTER) {
      throw new RangeError(`createHealthChecker: jitter must be within 0..${MAX_JITTER}, got ${String(jitter)}`);
    }
    this.#engine = engine;
    this.#now = options.now ?? (() => performance.now());
    this.#random = options.random ?? Math.random;
    this.#heartbeatStatus = options.heartbeatStatus ?? (() => "unknown");
    this.#recoveryIntervalMs = recoveryIntervalMs;
    this.#jitter = jitter;
    const log = options.log;
    this.#warn = log === undefined ? noop : (obj, msg) => { log.warn(obj, msg); };
    this.#debug = log === undefined ? noop : (obj, msg) => { log.debug(obj, msg); };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#dispatcher = new Agent({ connect: { timeout: 10_000 } });
    const engine = this.#engine;
    this.#disposers = [
      engine.on("instance_registered", (e) => {
        this.#addTarget(e.service, e.instanceId, e.host, e.port);
      }),
      engine.on("instance_unregistered", (e) => {
        this.#dropTarget(e.service, e.instanceId);
      }),
      engine.on("instance_updated", (e) => {
        const target = this.#targets.get(e.service)?.get(e.instanceId);
        if (target === undefined) return;
        let moved = false;
        for (const change of e.changes) {
          if (change.field === "host") {
            target.host = change.to;
            moved = true;
          } else if (change.field === "port") {
            target.port = change.to;
            moved = true;
          }
        }
        // A new address is unknown ground: check it now (an in-flight check of the old one is dropped when it settles).
        if (moved && target.check === undefined) this.#arm(target, this.#firstDelay());
      }),
      engine.on("service_unregistered", (e) => {
        const targets = this.#targets.get(e.service);
        if (targets !== undefined) for (const id of [...targets.keys()]) this.#dropTarget(e.service, id);
        this.#targets.delete(e.service);
        this.#availability.delete(e.service);
      }),
      engine.on("service_updated", (e) => {
        if (e.changes.some((c) => c.field === "health")) this.#pullIn(e.service);
      }),
      // Any event of a service may change its availability (health, breaker, enabled, …); process-wide ones do not.
      engine.on("*", (e) => {
        if ("service" in e) this.#availability.delete(e.service);
      }),
    ];
    for (const service of engine.listServices()) {
      for (const inst of service.instances) this.#addTarget(service.name, inst.id, inst.host, inst.port);
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const dispose of this.#disposers) dispose();
    this.#disposers = [];
    for (const targets of this.#targets.values()) {
      for (const target of targets.values()) this.#retire(target);
    }
    this.#targets.clear();
    this.#availability.clear();
    await Promise.allSettled([...this.#checks]);
    const dispatcher = this.#dispatcher;
    this.#dispatcher = undefined;
    if (dispatcher !== undefined) await dispatcher.destroy().catch(noop);
  }

  inFlight(): number {
    return this.#checks.size;
  }

  async checkNow(service: string, instanceId?: string): Promise<void> {
    if (!this.#running) throw new EngineError("CONFLICT", "the health checker is not running");
    if (this.#engine.getService(service) === undefined) {
      throw new EngineError("NOT_FOUND", `unknown service ${JSON.stringify(service)}`);
    }
    const targets = this.#targets.get(service as ServiceName);
    let selected: Target[];
    if (instanceId === undefined) {
      selected = targets === undefined ? [] : [...targets.values()];
    } else {
      const target = targets?.get(instanceId as InstanceId);
      if (target === undefined) {
        throw new EngineError("NOT_FOUND", `unknown instance ${JSON.stringify(instanceId)} in service ${JSON.stringify(service)}`);
      }
      selected = [target];
    }
    // An instance already being checked is not checked twice: its running check is awaited.
    await Promise.all(selected.map((target) => this.#runCheck(target)));
  }

  // ── schedule ───────────────────────────────────────────────────────────────

  #addTarget(service: ServiceName, id: InstanceId, host: string, port: number): void {
    let targets = this.#targets.get(service);
    if (targets === undefined) {
      targets = new Map();
      this.#targets.set(service, targets);
    }
    const previous = targets.get(id);
    if (previous !== undefined) this.#retire(previous);
    const target: Target = {
      service,
      id,
      host,
      port,
      timer: undefined,
      dueAt: Number.POSITIVE_INFINITY,
      check: undefined,
      abort: undefined,
      recheck: false,
      removed: false,
    };
    targets.set(id, target);
    this.#arm(target, this.#firstDelay());
  }

  #dropTarget(service: ServiceName, id: InstanceId): void {
    const targets = this.#targets.get(service);
    const target = targets?.get(id);
    if (targets === undefined || target === undefined) return;
    targets.delete(id);
    if (targets.size === 0) this.#targets.delete(service);
    this.#retire(target);
  }

  /** Clears the timer and aborts the in-flight check; the target is never armed or recorded again. */
  #retire(target: Target): void {
    target.removed = true;
    this.#disarm(target);
    target.abort?.abort(new Error("health check cancelled"));
  }

  #disarm(target: Target): void {
    if (target.timer !== undefined) clearTimeout(target.timer);
    target.timer = undefined;
    target.dueAt = Number.POSITIVE_INFINITY;
  }

  #arm(target: Target, delayMs: number): void {
    this.#disarm(target);
    if (target.removed || !this.#running) return;
    const timer = setTimeout(() => {
      target.timer = undefined;
      target.dueAt = Number.POSITIVE_INFINITY;
      void this.#runCheck(target);
    }, delayMs);
    timer.unref();
    target.timer = timer;
    target.dueAt = this.#now() + delayMs;
  }

  /** Re-arms the service's waiting timers that would fire later than a fresh interval from now (settings changed, service became unavailable). */
  #pullIn(service: ServiceName): void {
    const targets = this.#targets.get(service);
    if (targets === undefined) return;
    const now = this.#now();
    for (const target of targets.values()) {
      if (target.check !== undefined || target.timer === undefined) continue;
      const delayMs = this.#nextDelay(target);
      if (delayMs !== undefined && now + delayMs < target.dueAt) this.#arm(target, delayMs);
    }
  }

  #firstDelay(): number {
    return Math.floor(this.#random() * FIRST_CHECK_SPREAD_MS);
  }

  /** The service's interval (or the recovery interval while it has no available instance), spread by ±jitter. */
  #nextDelay(target: Target): number | undefined {
    const view = this.#engine.getService(target.service);
    if (view === undefined) return undefined;
    const intervalMs = view.config.health.intervalMs;
    const baseMs = this.#isAvailable(target.service) ? intervalMs : Math.min(this.#recoveryIntervalMs, intervalMs);
    const spread = 1 + this.#jitter * (2 * this.#random() - 1);
    return Math.max(0, Math.round(baseMs * spread));
  }

  /** Whether the service has an instance acquire() could pick; cached (see AVAILABILITY_MAX_AGE_MS). */
  #isAvailable(service: ServiceName): boolean {
    const now = this.#now();
    const cached = this.#availability.get(service);
    if (cached !== undefined && now - cached.at < AVAILABILITY_MAX_AGE_MS) return cached.available;
    // Reading the snapshot may emit events (lazy breaker promotion) that clear the cache: set it afterwards.
    const snapshot = this.#engine.getServiceSnapshot(service);
    const available = snapshot === undefined || snapshot.instances.length === 0 || snapshot.availableCount > 0;
    this.#availability.set(service, { available, at: now });
    if (!available && cached?.available !== false) {
      this.#debug({ service }, "health: no available instance, probing at the recovery interval");
      this.#pullIn(service);
    }
    return available;
  }

  // ── checks ─────────────────────────────────────────────────────────────────

  /** Runs one check of the target unless one is running (then returns that one). Never rejects. */
  #runCheck(target: Target): Promise<void> {
    if (target.check !== undefined) return target.check;
    if (target.removed || !this.#running) return Promise.resolve();
    this.#disarm(target);
    const controller = new AbortController();
    target.abort = controller;
    const check = this.#checkOnce(target, controller.signal)
      .catch((error: unknown) => {
        this.#warn({ err: error, service: target.service, instanceId: target.id }, "health: check failed unexpectedly");
      })
      .finally(() => {
        this.#checks.delete(check);
        target.check = undefined;
        target.abort = undefined;
        this.#rearm(target);
      });
    target.check = check;
    this.#checks.add(check);
    return check;
  }

  #rearm(target: Target): void {
    if (target.removed || !this.#running) return;
    if (target.recheck) {
      target.recheck = false;
      this.#arm(target, this.#firstDelay());
      return;
    }
    try {
      const delayMs = this.#nextDelay(target);
      if (delayMs !== undefined) this.#arm(target, delayMs);
    } catch (error) {
      // Only a throwing listener of another ring can get here (through the engine's flush); keep checking.
      this.#warn({ err: error, service: target.service, instanceId: target.id }, "health: scheduling failed");
      const view = this.#engine.getService(target.service);
      if (view !== undefined) this.#arm(target, view.config.health.intervalMs);
    }
  }

  async #checkOnce(target: Target, signal: AbortSignal): Promise<void> {
    const view = this.#engine.getService(target.service);
    const dispatcher = this.#dispatcher;
    if (view === undefined || dispatcher === undefined) return;
    const { host, port } = target;
    const context: ProbeContext = { dispatcher, heartbeatStatus: this.#heartbeatStatus, warn: this.#warn };
    const verdict = await runProbes({ service: target.service, instanceId: target.id, host, port }, view.config.health, context, signal);
    if (signal.aborted || target.removed || !this.#running) {
      this.#debug({ service: target.service, instanceId: target.id }, "health: result dropped (instance removed or checker stopped)");
      return;
    }
    if (target.host !== host || target.port !== port) {
      // Re-addressed meanwhile: this result speaks of the old address; #rearm checks the new one at once.
      this.#debug({ service: target.service, instanceId: target.id }, "health: result dropped (address changed)");
      target.recheck = true;
      return;
    }
    if (verdict === undefined) return;
    try {
      this.#engine.recordHealthCheck(target.service, target.id, verdict.passed, verdict.reason);
    } catch (error) {
      if (error instanceof EngineError && error.code === "NOT_FOUND") {
        // Gone without our hearing of it: stop checking it (a re-registration arrives as an event and starts afresh).
        this.#debug({ service: target.service, instanceId: target.id }, "health: result dropped (instance gone)");
        if (this.#targets.get(target.service)?.get(target.id) === target) this.#dropTarget(target.service, target.id);
        else this.#retire(target);
        return;
      }
      // The result was recorded; a listener of another ring threw while being told.
      this.#warn({ err: error, service: target.service, instanceId: target.id }, "health: an event listener threw on a health result");
    }
  }
}
