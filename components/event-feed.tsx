"use client";
// "Recent events": the live event stream (the latest 50 on connect, then each
// new event), newest first, at most 50 rows, filterable by type.
import { useSubscription } from "@trpc/tanstack-react-query";
import { useId, useState } from "react";
import { EVENT_TYPES } from "./event-types";
import { EventTable, eventKey, type EventItem } from "./event-table";
import { useTRPC } from "./trpc-provider";

const MAX_ROWS = 50;
const MAX_KEPT = 200;

/** Adds `event` to a newest-first list, once (a reconnect resends the latest 50). */
export function addNewestFirst(list: readonly EventItem[], event: EventItem, max: number): readonly EventItem[] {
  const key = eventKey(event);
  if (list.some((e) => eventKey(e) === key)) return list;
  const index = list.findIndex((e) => e.at < event.at);
  const next = index === -1 ? [...list, event] : [...list.slice(0, index), event, ...list.slice(index)];
  return next.length > max ? next.slice(0, max) : next;
}

export function EventFeed({ service }: { service?: string }) {
  const trpc = useTRPC();
  const selectId = useId();
  const [events, setEvents] = useState<readonly EventItem[]>([]);
  const [type, setType] = useState("");
  const stream = useSubscription(
    trpc.events.stream.subscriptionOptions(undefined, {
      onData(event) {
        if (service !== undefined && event.service !== service) return;
        setEvents((list) => addNewestFirst(list, event, MAX_KEPT));
      },
    }),
  );
  const shown = (type === "" ? events : events.filter((e) => e.type === type)).slice(0, MAX_ROWS);
  return (
    <div className="event-feed">
      <div className="toolbar">
        <label htmlFor={selectId}>Type</label>
        <select id={selectId} value={type} onChange={(e) => setType(e.target.value)}>
          <option value="">All types</option>
          {EVENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <span className="muted small" aria-live="polite" data-testid="event-stream-status">
          {stream.status === "pending" ? "live" : stream.status === "error" ? "" : "connecting…"}
        </span>
      </div>
      {stream.status === "error" && (
        <p role="alert" className="error">
          Event stream interrupted: {stream.error.message}
        </p>
      )}
      {shown.length === 0 ? (
        <p className="empty" data-testid="no-events">
          {type === "" ? "No events yet." : `No ${type} events among the latest ones.`}
        </p>
      ) : (
        <EventTable events={shown} label="Recent events" />
      )}
    </div>
  );
}
