// Every stored event, filterable and paged, with new ones arriving live.
import type { Metadata } from "next";
import { EventsExplorer } from "@/components/events-explorer";

export const metadata: Metadata = { title: "Events · Alicia Load Balancer" };

export default function EventsPage() {
  return (
    <>
      <h1>Events</h1>
      <p className="muted">
        Health changes, breaker transitions, registrations and routing errors, newest first. The same events are published over MQTT on{" "}
        <code>alicia/load_balancer/*</code> (with the default topic prefix).
      </p>
      <EventsExplorer />
    </>
  );
}
