/** Events (health changes, breaker transitions, routing errors, ...): stored history and a live stream. */
import { on, EventEmitter } from "node:events";
import { z } from "zod";
import { ENGINE_EVENT_TYPES } from "../../engine";
import type { RecentEvent } from "../../runtime";
import { createTRPCRouter, procedure } from "../init";

const eventOut = z.object({
  id: z.string(),
  at: z.number(),
  type: z.string(),
  service: z.string().nullable(),
  instanceId: z.string().nullable(),
  reason: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type EventItem = z.infer<typeof eventOut>;

let liveSequence = 0;
const fromRecent = (e: RecentEvent): EventItem => ({ id: `live-${++liveSequence}`, at: e.at, type: e.type, service: e.service, instanceId: e.instanceId, reason: e.reason, data: e.data });

export const eventsRouter = createTRPCRouter({
  list: procedure.meta({ role: "viewer" })
    .input(
      z.object({
        service: z.string().max(128).optional(),
        instanceId: z.string().max(128).optional(),
        types: z.array(z.enum(ENGINE_EVENT_TYPES)).max(ENGINE_EVENT_TYPES.length).optional(),
        beforeId: z.string().regex(/^\d{1,19}$/).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      }),
    )
    .output(z.array(eventOut))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.runtime.events.list({
        serviceName: input.service,
        instanceId: input.instanceId,
        eventTypes: input.types,
        beforeId: input.beforeId,
        limit: input.limit,
      });
      return rows.map((row) => {
        const { reason, ...data } = row.data;
        return {
          id: row.id,
          at: row.ts.getTime(),
          type: row.eventType,
          service: row.serviceName,
          instanceId: row.instanceId,
          reason: typeof reason === "string" ? reason : "",
          data,
        };
      });
    }),
  /** Events as they happen (the newest 50 first). */
  stream: procedure.meta({ role: "viewer" }).subscription(async function* ({ ctx, signal }) {
    const emitter = new EventEmitter();
    const dispose = ctx.runtime.events.onEvent((event) => emitter.emit("event", event));
    try {
      for (const event of ctx.runtime.events.recent().slice(-50)) yield fromRecent(event);
      for await (const [event] of on(emitter, "event", { signal })) yield fromRecent(event as RecentEvent);
    } catch (error) {
      if (!(error instanceof Error && error.name === "AbortError")) throw error;
    } finally {
      dispose();
    }
  }),
});
