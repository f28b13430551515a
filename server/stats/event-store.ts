/**
 * Stores every engine event (the dashboard's event list reads them back) and
 * keeps the most recent ones in memory for live views. The engine listener
 * only appends to a bounded buffer; writes happen in batches on a timer, so
 * an event never waits for the database and a slow database never slows the
 * engine. Past `maxBuffered` the oldest unwritten events are dropped and
 * counted (exposed in /metrics; not as an event, which would itself need
 * storing).
 */
import type { Db, EventRow } from "../db";
import type { Engine, EngineEvent } from "../engine";
import { BatchWriter } from "./batch-writer";

export interface RecentEvent {
  /** Wall-clock ms. */
  at: number;
  type: EngineEvent["type"];
  service: string | null;
  instanceId: string | null;
  reason: string;
  data: Record<string, unknown>;
}

export interface EventStore {
  recent(): readonly RecentEvent[];
  onEvent(listener: (event: RecentEvent) => void): () => void;
  flush(): Promise<boolean>;
  stop(timeoutMs?: number): Promise<void>;
  counts(): { buffered: number; written: number; dropped: number };
}

export function toRecentEvent(event: EngineEvent, wallClockMs: number): RecentEvent {
  const { type, at: _at, reason, ...rest } = event;
  const service = "service" in event ? event.service : null;
  const instanceId = "instanceId" in event && typeof event.instanceId === "string" ? event.instanceId : null;
  return { at: wallClockMs, type, service, instanceId, reason, data: rest };
}

export function startEventStore(options: {
  engine: Engine;
  db: Pick<Db, "events">;
  toWallClockMs: (at: number) => number;
  flushEveryMs?: number;
  maxBuffered?: number;
  recentLimit?: number;
  onFlushError?: (error: unknown) => void;
}): EventStore {
  const maxBuffered = options.maxBuffered ?? 10_000;
  const recentLimit = options.recentLimit ?? 200;
  const writer = new BatchWriter<EventRow>({
    write: (rows) => options.db.events.insert(rows),
    maxBuffered,
    batchSize: 1_000,
    onError: options.onFlushError,
  });
  const recent: RecentEvent[] = [];
  const listeners = new Set<(event: RecentEvent) => void>();

  const dispose = options.engine.on("*", (event) => {
    const item = toRecentEvent(event, options.toWallClockMs(event.at));
    recent.push(item);
    if (recent.length > recentLimit) recent.shift();
    writer.push([{ ts: new Date(item.at), eventType: item.type, serviceName: item.service, instanceId: item.instanceId, data: { reason: item.reason, ...item.data } }]);
    for (const listener of listeners) listener(item);
  });

  const flush = () => writer.flush();
  const timer = setInterval(() => void flush(), options.flushEveryMs ?? 1_000);
  timer.unref();

  return {
    recent: () => recent,
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    flush,
    async stop(timeoutMs = 3_000) {
      clearInterval(timer);
      dispose();
      // Events are counted as dropped (exposed in /metrics), not reported as events, which would need storing themselves.
      await writer.drain(timeoutMs, "database unreachable at shutdown");
    },
    counts: () => writer.counts(),
  };
}
