/**
 * EngineEvent, the one typed union of every state change, and the bus that
 * delivers it (STYLE habit 5: events are the only wiring between rings).
 *
 * `type` strings are snake_case because they become MQTT topic names
 * (alicia/load_balancer/{type}). Every event carries `service`, `at` (clock ms)
 * and a human `reason`; instance events also carry `instanceId`. Events are plain
 * data (JSON-serializable, except Infinity which JSON writes as null).
 *
 * Delivery: engine methods queue events while they mutate and flush them when the
 * state is consistent again, so a listener always sees the state its event
 * describes and may call back into the engine. A listener that throws does not
 * stop the others; the errors go to `onListenerError`, or (when none is given)
 * the first one is rethrown after every event has been delivered.
 * Cost: O(listeners) per event; nothing is emitted per pick.
 */

import type { RoutingErrorKind } from "./routing-errors";
import type {
  Algorithm,
  BreakerSettings,
  BreakerStateKind,
  HealthSettings,
  HealthStatus,
  InstanceId,
  ServiceName,
} from "./types";

interface ServiceEventBase {
  service: ServiceName;
  at: number;
  reason: string;
}

interface InstanceEventBase extends ServiceEventBase {
  instanceId: InstanceId;
}

export type ServiceChange =
  | { field: "algorithm"; from: Algorithm; to: Algorithm }
  | { field: "maxConnectionsPerInstance"; from: number; to: number }
  | { field: "breaker"; from: BreakerSettings; to: BreakerSettings }
  | { field: "health"; from: HealthSettings; to: HealthSettings }
  | { field: "requestTimeoutMs"; from: number; to: number }
  | { field: "hashHeader"; from: string | null; to: string | null };

export type InstanceChange =
  | { field: "weight"; from: number; to: number }
  | { field: "enabled"; from: boolean; to: boolean }
  | { field: "draining"; from: boolean; to: boolean }
  | { field: "host"; from: string; to: string }
  | { field: "port"; from: number; to: number };

export type EngineEvent =
  | (ServiceEventBase & { type: "service_registered"; algorithm: Algorithm })
  | (ServiceEventBase & { type: "service_unregistered" })
  | (ServiceEventBase & { type: "service_updated"; changes: ServiceChange[] })
  | (ServiceEventBase & { type: "algorithm_changed"; from: Algorithm; to: Algorithm })
  | (InstanceEventBase & {
      type: "instance_registered";
      host: string;
      port: number;
      weight: number;
      enabled: boolean;
      draining: boolean;
    })
  | (InstanceEventBase & { type: "instance_unregistered" })
  | (InstanceEventBase & { type: "instance_updated"; changes: InstanceChange[] })
  | (InstanceEventBase & { type: "health_changed"; from: HealthStatus; to: HealthStatus })
  | (InstanceEventBase & {
      type: "breaker_opened";
      from: "closed" | "half_open";
      consecutiveFailures: number;
      timeoutMs: number;
      halfOpenAt: number;
      opens: number;
    })
  | (InstanceEventBase & { type: "breaker_half_opened"; from: "open" })
  | (InstanceEventBase & { type: "breaker_closed"; from: "half_open" })
  | (InstanceEventBase & { type: "breaker_reset"; from: BreakerStateKind })
  | (InstanceEventBase & { type: "breaker_forced_open"; from: BreakerStateKind })
  | { type: "stats_dropped"; at: number; reason: string; /** samples lost */ count: number }
  | (ServiceEventBase & {
      type: "routing_error";
      kind: RoutingErrorKind;
      status: number;
      instanceId: InstanceId | null;
      requestId: string;
      /** Occurrences this event stands for (rate-limited, see routing-errors.ts). */
      count: number;
    });

export type EngineEventType = EngineEvent["type"];

/** Every event type, e.g. for subscribing an MQTT topic per type. */
export const ENGINE_EVENT_TYPES = [
  "service_registered",
  "service_unregistered",
  "service_updated",
  "algorithm_changed",
  "instance_registered",
  "instance_unregistered",
  "instance_updated",
  "health_changed",
  "breaker_opened",
  "breaker_half_opened",
  "breaker_closed",
  "breaker_reset",
  "breaker_forced_open",
  "routing_error",
  "stats_dropped",
] as const satisfies readonly EngineEventType[];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type BreakerEvent = Extract<EngineEvent, { type: `breaker_${string}` }>;
/** What a breaker reports; the registry adds service and instanceId. */
export type BreakerTransition = DistributiveOmit<BreakerEvent, "service" | "instanceId">;
export type HealthTransition = DistributiveOmit<Extract<EngineEvent, { type: "health_changed" }>, "service" | "instanceId">;

export type EventListener<K extends EngineEventType> = (event: Extract<EngineEvent, { type: K }>) => void;
export type ListenerErrorHandler = (error: unknown, event: EngineEvent) => void;

type AnyListener = (event: EngineEvent) => void;

export class EventBus {
  private readonly listeners = new Map<EngineEventType | "*", Set<AnyListener>>();
  private readonly queue: EngineEvent[] = [];
  private flushing = false;
  private readonly onListenerError: ListenerErrorHandler | undefined;

  constructor(onListenerError?: ListenerErrorHandler) {
    this.onListenerError = onListenerError;
  }

  on<K extends EngineEventType>(type: K | "*", listener: EventListener<K>): () => void {
    let set = this.listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(type, set);
    }
    const wrapped = listener as AnyListener;
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  }

  enqueue(event: EngineEvent): void {
    this.queue.push(event);
  }

  get hasPending(): boolean {
    return this.queue.length > 0;
  }

  /** Delivers queued events in order (re-entrant calls just let the outer loop continue). */
  flush(): void {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const errors: { error: unknown; event: EngineEvent }[] = [];
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const event = this.queue[i];
        if (event === undefined) continue;
        this.deliver(this.listeners.get(event.type), event, errors);
        this.deliver(this.listeners.get("*"), event, errors);
      }
    } finally {
      this.queue.length = 0;
      this.flushing = false;
    }
    if (errors.length === 0) return;
    if (this.onListenerError !== undefined) {
      for (const { error, event } of errors) this.onListenerError(error, event);
      return;
    }
    const first = errors[0];
    if (first !== undefined) throw first.error;
  }

  private deliver(
    set: Set<AnyListener> | undefined,
    event: EngineEvent,
    errors: { error: unknown; event: EngineEvent }[],
  ): void {
    if (set === undefined) return;
    for (const listener of set) {
      try {
        listener(event);
      } catch (error) {
        errors.push({ error, event });
      }
    }
  }
}
