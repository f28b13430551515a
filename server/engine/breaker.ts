/**
 * Circuit breaker of ONE instance, as one explicit state machine (cockatiel's
 * CircuitBreakerPolicy: a discriminated union per state, manual isolate/reset).
 *
 *   closed ──failureThreshold consecutive failures──► open
 *   open ──recoveryTimeoutMs elapsed (promote)──────► half_open
 *   half_open ──successThreshold successes──────────► closed
 *   half_open ──any failure─────────────────────────► open (timeout doubled, capped)
 *   any ──reset()───────────────────────────────────► closed (counters cleared)
 *   any but forced_open ──forceOpen()───────────────► forced_open (until reset)
 *
 * One method per transition; each checks its source state (an illegal transition
 * throws EngineError "CONFLICT") and emits its event with a reason. The breaker has
 * no timers (opossum's mistake): `promote(now)` is called lazily by acquire and by
 * the rings' tick. Open periods: recoveryTimeoutMs, doubled on each re-open from
 * half_open up to maxRecoveryTimeoutMs, back to the base after closing or reset.
 *
 * Results: the engine feeds only results of leases acquired in the current
 * `epoch` (bumped on every transition), so stale in-flight requests neither
 * re-open an open breaker nor count as probes. A 4xx is a success (the instance
 * answered); a client abort is neutral (frees a probe slot, proves nothing).
 * Cost: O(1), no allocation on success/failure in closed.
 * Defaults (DEFAULT_BREAKER): the seed chapter's 5 / 60 s / 3, cap 10 min.
 */

import { EngineError } from "./errors";
import type { BreakerTransition } from "./events";
import { isFailure } from "./types";
import type { BreakerSettings, BreakerSnapshot, BreakerStateKind, Outcome } from "./types";

export type BreakerState =
  | { readonly kind: "closed"; consecutiveFailures: number }
  | {
      readonly kind: "open";
      readonly openedAt: number;
      readonly halfOpenAt: number;
      readonly timeoutMs: number;
      readonly consecutiveFailures: number;
    }
  | { readonly kind: "half_open"; probesInFlight: number; successes: number }
  | { readonly kind: "forced_open"; readonly openedAt: number };

export class CircuitBreaker {
  private current: BreakerState = { kind: "closed", consecutiveFailures: 0 };
  /** Mirror of current.kind === "closed", read on the hot path without touching the state object. */
  private closed = true;
  /** Read at every decision, so settings changed on the service apply at once. */
  settings: BreakerSettings;
  /** Bumped on every transition. */
  epoch = 0;
  /** Times opened (including forced). */
  opens = 0;
  /** Length of the latest open period since the last close/reset; 0 when none. */
  private lastTimeoutMs = 0;
  private readonly emit: (transition: BreakerTransition) => void;

  constructor(settings: BreakerSettings, emit: (transition: BreakerTransition) => void) {
    this.settings = settings;
    this.emit = emit;
  }

  get state(): Readonly<BreakerState> {
    return this.current;
  }

  get kind(): BreakerStateKind {
    return this.current.kind;
  }

  /** May a new request go to this instance (ignoring time: call promote first)? */
  admits(): boolean {
    if (this.closed) return true;
    const s = this.current;
    switch (s.kind) {
      case "closed":
        return true;
      case "half_open":
        return s.probesInFlight < this.settings.halfOpenMaxProbes;
      case "open":
      case "forced_open":
        return false;
    }
  }

  /** When an open breaker becomes due for half_open; Infinity otherwise. */
  dueAt(): number {
    return this.current.kind === "open" ? this.current.halfOpenAt : Number.POSITIVE_INFINITY;
  }

  /** A lease was granted in the current epoch. */
  onAcquire(): void {
    if (this.current.kind === "half_open") this.current.probesInFlight++;
  }

  /** Result of a lease acquired in the current epoch. */
  onLeaseResult(now: number, outcome: Outcome): void {
    const s = this.current;
    switch (s.kind) {
      case "closed":
        if (isFailure(outcome)) {
          s.consecutiveFailures++;
          if (s.consecutiveFailures >= this.settings.failureThreshold) {
            this.open(now, `${s.consecutiveFailures} consecutive failures (last: ${outcome})`);
          }
        } else if (outcome !== "client_abort") {
          s.consecutiveFailures = 0;
        }
        return;
      case "half_open":
        s.probesInFlight = Math.max(0, s.probesInFlight - 1);
        if (isFailure(outcome)) {
          this.open(now, `probe failed in half_open (${outcome})`);
        } else if (outcome !== "client_abort") {
          s.successes++;
          if (s.successes >= this.settings.successThreshold) {
            this.close(now, `${s.successes} successful probes in half_open`);
          }
        }
        return;
      case "open":
      case "forced_open":
        return;
    }
  }

  /** A failed health check counts as one failure (it is not a probe). */
  onCheckFailed(now: number, reason: string): void {
    const s = this.current;
    switch (s.kind) {
      case "closed":
        s.consecutiveFailures++;
        if (s.consecutiveFailures >= this.settings.failureThreshold) {
          this.open(now, `${s.consecutiveFailures} consecutive failures (last: health check failed: ${reason})`);
        }
        return;
      case "half_open":
        this.open(now, `health check failed in half_open: ${reason}`);
        return;
      case "open":
      case "forced_open":
        return;
    }
  }

  /** open → half_open when the recovery timeout has elapsed. Returns whether it moved. */
  promote(now: number): boolean {
    const s = this.current;
    if (s.kind !== "open" || now < s.halfOpenAt) return false;
    this.halfOpen(now, `recovery timeout of ${s.timeoutMs} ms elapsed`);
    return true;
  }

  open(now: number, reason: string): void {
    const s = this.current;
    if (s.kind !== "closed" && s.kind !== "half_open") this.illegal("open");
    const timeoutMs =
      s.kind === "half_open"
        ? Math.min(this.settings.maxRecoveryTimeoutMs, Math.max(this.lastTimeoutMs, this.settings.recoveryTimeoutMs) * 2)
        : this.settings.recoveryTimeoutMs;
    const consecutiveFailures = s.kind === "closed" ? s.consecutiveFailures : 0;
    this.lastTimeoutMs = timeoutMs;
    this.opens++;
    this.current = { kind: "open", openedAt: now, halfOpenAt: now + timeoutMs, timeoutMs, consecutiveFailures };
    this.closed = false;
    this.epoch++;
    this.emit({
      type: "breaker_opened",
      from: s.kind,
      at: now,
      reason,
      consecutiveFailures,
      timeoutMs,
      halfOpenAt: now + timeoutMs,
      opens: this.opens,
    });
  }

  halfOpen(now: number, reason: string): void {
    if (this.current.kind !== "open") this.illegal("half_open");
    this.current = { kind: "half_open", probesInFlight: 0, successes: 0 };
    this.closed = false;
    this.epoch++;
    this.emit({ type: "breaker_half_opened", from: "open", at: now, reason });
  }

  close(now: number, reason: string): void {
    if (this.current.kind !== "half_open") this.illegal("closed");
    this.current = { kind: "closed", consecutiveFailures: 0 };
    this.closed = true;
    this.lastTimeoutMs = 0;
    this.epoch++;
    this.emit({ type: "breaker_closed", from: "half_open", at: now, reason });
  }

  /** Manual reset from any state: closed, counters and back-off cleared. */
  reset(now: number, reason: string): void {
    const from = this.current.kind;
    this.current = { kind: "closed", consecutiveFailures: 0 };
    this.closed = true;
    this.lastTimeoutMs = 0;
    this.epoch++;
    this.emit({ type: "breaker_reset", from, at: now, reason });
  }

  /** Manual isolation: stays open, ignoring time and results, until reset. */
  forceOpen(now: number, reason: string): void {
    const from = this.current.kind;
    if (from === "forced_open") this.illegal("forced_open");
    this.current = { kind: "forced_open", openedAt: now };
    this.closed = false;
    this.opens++;
    this.epoch++;
    this.emit({ type: "breaker_forced_open", from, at: now, reason });
  }

  toSnapshot(): BreakerSnapshot {
    const s = this.current;
    switch (s.kind) {
      case "closed":
        return { state: "closed", consecutiveFailures: s.consecutiveFailures, opens: this.opens };
      case "open":
        return {
          state: "open",
          consecutiveFailures: s.consecutiveFailures,
          openedAt: s.openedAt,
          halfOpenAt: s.halfOpenAt,
          opens: this.opens,
        };
      case "half_open":
        return { state: "half_open", consecutiveFailures: 0, opens: this.opens };
      case "forced_open":
        return { state: "forced_open", consecutiveFailures: 0, openedAt: s.openedAt, opens: this.opens };
    }
  }

  private illegal(to: BreakerStateKind): never {
    throw new EngineError("CONFLICT", `illegal breaker transition ${this.current.kind} -> ${to}`);
  }
}
