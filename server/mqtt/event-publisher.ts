/**
 * Publishes every engine event on Alicia's bus (DESIGN.md, the seed's topics):
 *   {prefix}/load_balancer/events        every event
 *   {prefix}/load_balancer/{event_type}  the same, by type
 *   {prefix}/load_balancer/errors        routing errors, again
 * JSON `{ event_id, event_type, event_data, timestamp, source: "load_balancer" }`,
 * QoS 1. `event_id` lets consumers drop the duplicates QoS 1 allows.
 *
 * Publishing never blocks the engine or the proxy: the engine listener only
 * appends to a bounded queue (O(1)); a drain step sends while the broker is
 * connected, keeping at most `maxInFlight` unacknowledged publishes, and puts
 * a message back at the head of the queue when its publish fails, so a broker
 * restart loses nothing. Past `maxQueued` the oldest messages are dropped and
 * counted (an outage longer than the queue can hold).
 */
import { randomUUID } from "node:crypto";
import type { Engine, EngineEvent } from "../engine";
import type { MqttConnection } from "./connection";

export interface EventPublisherOptions {
  engine: Engine;
  connection: MqttConnection;
  /** Converts the engine clock's `at` (monotonic ms) to wall-clock ms. */
  toWallClockMs: (at: number) => number;
  maxQueued?: number;
  maxInFlight?: number;
  onOverflow?: (dropped: number) => void;
}

export interface PublisherStats {
  published: number;
  queued: number;
  inFlight: number;
  dropped: number;
}

export interface EventPublisher {
  stats(): PublisherStats;
  /** Resolves when the queue is empty and every publish was acknowledged (or the timeout passed). */
  flushed(timeoutMs: number): Promise<boolean>;
  stop(): void;
}

interface Outgoing {
  readonly topic: string;
  readonly payload: string;
}

/** The seed's message shape; `event_data` is the event without its envelope fields. */
export function eventMessage(event: EngineEvent, eventId: string, timestampMs: number): string {
  const { type, at: _at, ...data } = event;
  return JSON.stringify({
    event_id: eventId,
    event_type: type,
    event_data: data,
    timestamp: new Date(timestampMs).toISOString(),
    source: "load_balancer",
  });
}

export function startEventPublisher(options: EventPublisherOptions): EventPublisher {
  const { connection } = options;
  const { client } = connection;
  const base = `${connection.topicPrefix}/load_balancer`;
  const maxQueued = options.maxQueued ?? 10_000;
  const maxInFlight = options.maxInFlight ?? 64;
  if (!(maxQueued >= 1) || !(maxInFlight >= 1)) throw new RangeError("maxQueued and maxInFlight must be >= 1");

  const queue: Outgoing[] = [];
  let head = 0; // index of the next message: shifting an array per message is O(n)
  let inFlight = 0;
  let published = 0;
  let dropped = 0;
  let scheduled = false;
  let stopped = false;
  const idleWaiters = new Set<() => void>();

  const size = () => queue.length - head;
  const compact = () => {
    if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
  };
  const notifyIdle = () => {
    if (size() === 0 && inFlight === 0) for (const wake of idleWaiters) wake();
  };

  const enqueue = (message: Outgoing) => {
    if (size() >= maxQueued) {
      head++;
      dropped++;
      options.onOverflow?.(dropped);
    }
    queue.push(message);
  };

  const drain = () => {
    scheduled = false;
    while (!stopped && client.connected && inFlight < maxInFlight && size() > 0) {
      const message = queue[head];
      head++;
      if (message === undefined) continue;
      inFlight++;
      client.publish(message.topic, message.payload, { qos: 1 }, (error) => {
        inFlight--;
        if (error) {
          // Not acknowledged (connection lost): back to the head, sent again on reconnect.
          if (head > 0) queue[--head] = message;
          else queue.unshift(message);
        } else {
          published++;
        }
        schedule();
        notifyIdle();
      });
    }
    compact();
    notifyIdle();
  };
  function schedule(): void {
    if (scheduled || stopped) return;
    scheduled = true;
    setImmediate(drain);
  }

  const dispose = options.engine.on("*", (event) => {
    const payload = eventMessage(event, randomUUID(), options.toWallClockMs(event.at));
    enqueue({ topic: `${base}/events`, payload });
    enqueue({ topic: `${base}/${event.type}`, payload });
    if (event.type === "routing_error") enqueue({ topic: `${base}/errors`, payload });
    schedule();
  });
  client.on("connect", schedule);

  return {
    stats: () => ({ published, queued: size(), inFlight, dropped }),
    flushed(timeoutMs) {
      if (size() === 0 && inFlight === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          idleWaiters.delete(wake);
          resolve(ok);
        };
        const wake = () => done(true);
        const timer = setTimeout(() => done(false), timeoutMs);
        idleWaiters.add(wake);
      });
    },
    stop() {
      stopped = true;
      dispose();
      client.off("connect", schedule);
    },
  };
}
