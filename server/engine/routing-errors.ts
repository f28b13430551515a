/**
 * Routing errors (requests the balancer itself could not route: its 502, 503
 * and 504 answers) become `routing_error` events, as the seed publishes them.
 *
 * Under an outage every request fails, so one event per request would flood
 * the event store and the MQTT bus. This limiter lets the first error of a
 * (service, kind) through at once, counts the following ones for `windowMs`,
 * and emits them as one event carrying `count` (the latest one's details) when
 * the window has passed: on the next report or on the engine's tick.
 *
 * Cost: one Map lookup per report; tick is O(keys with suppressed errors).
 */
import type { InstanceId, ServiceName } from "./types";

export const ROUTING_ERROR_KINDS = ["no_available_instance", "bad_gateway", "gateway_timeout"] as const;
export type RoutingErrorKind = (typeof ROUTING_ERROR_KINDS)[number];

export interface RoutingError {
  readonly kind: RoutingErrorKind;
  /** The HTTP status the client got. */
  readonly status: number;
  readonly instanceId?: InstanceId | undefined;
  readonly requestId: string;
  /** Human-readable cause, e.g. "could not reach the instance". */
  readonly detail: string;
}

export interface RoutingErrorSummary {
  readonly service: ServiceName;
  readonly error: RoutingError;
  /** Occurrences this summary stands for (≥ 1). */
  readonly count: number;
}

interface KeyState {
  lastEmitAt: number;
  suppressed: number;
  latest: RoutingError;
  readonly service: ServiceName;
}

export class RoutingErrorLimiter {
  readonly #keys = new Map<string, KeyState>();

  constructor(readonly windowMs = 1_000) {
    if (!(windowMs >= 0)) throw new RangeError(`routing error windowMs must be >= 0, got ${windowMs}`);
  }

  /** Returns the summary to emit now, or undefined when the error is counted for later. */
  report(service: ServiceName, error: RoutingError, now: number): RoutingErrorSummary | undefined {
    const key = `${service}\u0000${error.kind}`;
    const state = this.#keys.get(key);
    if (state === undefined) {
      this.#keys.set(key, { lastEmitAt: now, suppressed: 0, latest: error, service });
      return { service, error, count: 1 };
    }
    if (now - state.lastEmitAt >= this.windowMs) {
      const count = state.suppressed + 1;
      state.lastEmitAt = now;
      state.suppressed = 0;
      state.latest = error;
      return { service, error, count };
    }
    state.suppressed++;
    state.latest = error;
    return undefined;
  }

  /** Summaries of errors counted in windows that have now passed. */
  flush(now: number): RoutingErrorSummary[] {
    const out: RoutingErrorSummary[] = [];
    for (const [key, state] of this.#keys) {
      if (now - state.lastEmitAt < this.windowMs) continue;
      if (state.suppressed > 0) {
        out.push({ service: state.service, error: state.latest, count: state.suppressed });
        state.suppressed = 0;
        state.lastEmitAt = now;
      } else {
        this.#keys.delete(key); // quiet for a whole window: forget it
      }
    }
    return out;
  }

  /** Forgets a removed service's state. */
  forget(service: ServiceName): void {
    for (const [key, state] of this.#keys) if (state.service === service) this.#keys.delete(key);
  }
}
