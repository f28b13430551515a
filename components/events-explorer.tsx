"use client";
// The Events page: stored events (events.list) filtered by service, instance
// and type, paged back with beforeId, with new events prepended live from
// events.stream.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useId, useMemo, useState, type SyntheticEvent } from "react";
import { EVENT_TYPES, isEventType } from "./event-types";
import { EventTable, eventKey, type EventItem } from "./event-table";
import { addNewestFirst } from "./event-feed";
import { useTRPC } from "./trpc-provider";

const PAGE_SIZE = 50;
const MAX_LIVE = 500;

interface Filters {
  service: string;
  instanceId: string;
  type: string;
}

const EMPTY: Filters = { service: "", instanceId: "", type: "" };

function listInput(filters: Filters, beforeId?: string) {
  return {
    service: filters.service || undefined,
    instanceId: filters.instanceId || undefined,
    types: isEventType(filters.type) ? [filters.type] : undefined,
    beforeId,
    limit: PAGE_SIZE,
  };
}

const matches = (e: EventItem, f: Filters) =>
  (f.service === "" || e.service === f.service) && (f.instanceId === "" || e.instanceId === f.instanceId) && (f.type === "" || e.type === f.type);

export function EventsExplorer() {
  const trpc = useTRPC();
  const services = useQuery(trpc.services.list.queryOptions(undefined, { staleTime: 30_000 }));
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const ids = { service: useId(), instance: useId(), type: useId() };

  const submit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFilters({ ...draft, instanceId: draft.instanceId.trim() });
  };

  return (
    <>
      <form className="filters" onSubmit={submit} aria-label="Event filters">
        <div className="field">
          <label htmlFor={ids.service}>Service</label>
          <select id={ids.service} value={draft.service} onChange={(e) => setDraft({ ...draft, service: e.target.value })}>
            <option value="">All services</option>
            {(services.data ?? []).map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.instance}>Instance</label>
          <input id={ids.instance} type="text" value={draft.instanceId} placeholder="any instance id" maxLength={128} onChange={(e) => setDraft({ ...draft, instanceId: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.type}>Type</label>
          <select id={ids.type} value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value })}>
            <option value="">All types</option>
            {EVENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div className="field actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setDraft(EMPTY);
              setFilters(EMPTY);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {/* A new filter starts a new list (first page, older pages, live events). */}
      <EventLog key={JSON.stringify(filters)} filters={filters} />
    </>
  );
}

function EventLog({ filters }: { filters: Filters }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const first = useQuery(trpc.events.list.queryOptions(listInput(filters), { staleTime: Infinity, refetchOnWindowFocus: false }));
  const [older, setOlder] = useState<readonly EventItem[]>([]);
  const [olderState, setOlderState] = useState<{ loading: boolean; done: boolean; error?: string }>({ loading: false, done: false });
  const [live, setLive] = useState<readonly EventItem[]>([]);
  const stream = useSubscription(
    trpc.events.stream.subscriptionOptions(undefined, {
      onData(event) {
        if (matches(event, filters)) setLive((list) => addNewestFirst(list, event, MAX_LIVE));
      },
    }),
  );

  const stored = useMemo(() => [...(first.data ?? []), ...older], [first.data, older]);
  const shown = useMemo(() => {
    if (first.data === undefined) return [];
    const keys = new Set(stored.map(eventKey));
    const newestStored = stored[0]?.at ?? -Infinity;
    const fresh = live.filter((e) => e.at >= newestStored && !keys.has(eventKey(e)));
    return [...fresh, ...stored];
  }, [first.data, stored, live]);

  const loadOlder = async () => {
    const oldest = stored.at(-1);
    if (oldest === undefined) return;
    setOlderState({ loading: true, done: false });
    try {
      const page = await queryClient.query(trpc.events.list.queryOptions(listInput(filters, oldest.id)));
      setOlder((list) => [...list, ...page]);
      setOlderState({ loading: false, done: page.length < PAGE_SIZE });
    } catch (error) {
      setOlderState({ loading: false, done: false, error: error instanceof Error ? error.message : String(error) });
    }
  };

  if (first.isPending) return <p className="muted">Loading events…</p>;
  if (first.isError)
    return (
      <p role="alert" className="error">
        Could not load events: {first.error.message}
      </p>
    );
  const exhausted = olderState.done || (first.data.length < PAGE_SIZE && older.length === 0);
  return (
    <section aria-labelledby="event-log-heading">
      <div className="section-head">
        <h2 id="event-log-heading">
          {shown.length} event{shown.length === 1 ? "" : "s"}
        </h2>
        <span className="muted small" aria-live="polite">
          {stream.status === "pending" ? "new events appear at the top" : stream.status === "error" ? "" : "connecting…"}
        </span>
      </div>
      {stream.status === "error" && (
        <p role="alert" className="error">
          Live events interrupted: {stream.error.message}
        </p>
      )}
      {shown.length === 0 ? (
        <p className="empty" data-testid="no-events">
          No events match these filters.
        </p>
      ) : (
        <EventTable events={shown} label="Events" withDate />
      )}
      <div className="pager">
        {exhausted ? (
          <span className="muted small">{shown.length === 0 ? "" : "No older events."}</span>
        ) : (
          <button type="button" onClick={() => void loadOlder()} disabled={olderState.loading}>
            {olderState.loading ? "Loading…" : "Load older"}
          </button>
        )}
        {olderState.error !== undefined && (
          <p role="alert" className="error">
            Could not load older events: {olderState.error}
          </p>
        )}
      </div>
    </section>
  );
}
