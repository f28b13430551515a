// The event types the API knows (events.list's `types` filter), for the
// dashboard's type filters. Typed against the router's input, so a type the
// server does not accept fails the typecheck.
import type { RouterInputs } from "@/server/trpc";

export type EventType = NonNullable<RouterInputs["events"]["list"]["types"]>[number];

export const EVENT_TYPES = [
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
] as const satisfies readonly EventType[];

// Every accepted type is listed: adding one on the server fails here until it is added above.
type Missing = Exclude<EventType, (typeof EVENT_TYPES)[number]>;
const _allListed: [Missing] extends [never] ? true : Missing = true;

export const isEventType = (value: string): value is EventType => (EVENT_TYPES as readonly string[]).includes(value);

/** A tone for an event type's badge. */
export function eventTone(type: string): "bad" | "warn" | "good" | "info" {
  if (type === "breaker_opened" || type === "breaker_forced_open" || type === "routing_error" || type === "stats_dropped") return "bad";
  if (type === "health_changed" || type === "breaker_half_opened" || type === "instance_unregistered" || type === "service_unregistered") return "warn";
  if (type === "breaker_closed" || type === "breaker_reset" || type === "instance_registered" || type === "service_registered") return "good";
  return "info";
}
