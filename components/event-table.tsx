// The rows of an events list (Recent events panel and the Events page).
import Link from "next/link";
import type { RouterOutputs } from "@/server/trpc";
import { eventTone } from "./event-types";
import { formatDateTime, formatTimeOfDay } from "./format";

export type EventItem = RouterOutputs["events"]["list"][number];

/** Identifies an event across the stored list and the live stream (whose ids differ). */
export const eventKey = (e: EventItem): string => `${e.at}|${e.type}|${e.service ?? ""}|${e.instanceId ?? ""}|${e.reason}`;

export function EventTable({ events, label, withDate = false }: { events: readonly EventItem[]; label: string; withDate?: boolean }) {
  return (
    <div className="table-scroll">
      <table className="table events" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Type</th>
            <th scope="col">Service / instance</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={`${e.id}|${eventKey(e)}`} data-testid="event-row">
              <td className="nowrap">
                <time dateTime={new Date(e.at).toISOString()} title={formatDateTime(e.at)}>
                  {withDate ? formatDateTime(e.at) : formatTimeOfDay(e.at)}
                </time>
              </td>
              <td data-testid="event-type">
                <span className={`badge badge-${eventTone(e.type)}`}>{e.type}</span>
              </td>
              <td>
                {e.service === null ? (
                  <span className="muted">—</span>
                ) : (
                  <Link href={`/services/${encodeURIComponent(e.service)}`}>{e.service}</Link>
                )}
                {e.instanceId !== null && <span className="muted"> / {e.instanceId}</span>}
              </td>
              <td className="reason">{e.reason || <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
