/**
 * Stored events (health changes, breaker transitions, admin actions, routing
 * errors, ...): append-only, newest first when read.
 */
import type { PrismaClient } from "./generated/client";

export interface EventRow {
  ts: Date;
  eventType: string;
  serviceName: string | null;
  instanceId: string | null;
  /** The event's own fields (JSON-serialisable). */
  data: Record<string, unknown>;
}

export interface StoredEvent extends EventRow {
  id: string;
}

export interface EventQuery {
  serviceName?: string | undefined;
  instanceId?: string | undefined;
  eventTypes?: readonly string[] | undefined;
  /** Only events with an id below this (paging backwards). */
  beforeId?: string | undefined;
  limit: number;
}

export interface EventRepository {
  insert(rows: readonly EventRow[]): Promise<number>;
  list(query: EventQuery): Promise<StoredEvent[]>;
}

export function createEventRepository(prisma: PrismaClient): EventRepository {
  return {
    async insert(rows) {
      if (rows.length === 0) return 0;
      const { count } = await prisma.event.createMany({
        data: rows.map((row) => ({ ...row, data: JSON.parse(JSON.stringify(row.data)) as object })),
      });
      return count;
    },
    async list(query) {
      const rows = await prisma.event.findMany({
        where: {
          ...(query.serviceName === undefined ? {} : { serviceName: query.serviceName }),
          ...(query.instanceId === undefined ? {} : { instanceId: query.instanceId }),
          ...(query.eventTypes === undefined || query.eventTypes.length === 0 ? {} : { eventType: { in: [...query.eventTypes] } }),
          ...(query.beforeId === undefined ? {} : { id: { lt: BigInt(query.beforeId) } }),
        },
        orderBy: { id: "desc" },
        take: query.limit,
      });
      return rows.map((row) => ({
        id: row.id.toString(),
        ts: row.ts,
        eventType: row.eventType,
        serviceName: row.serviceName,
        instanceId: row.instanceId,
        data: typeof row.data === "object" && row.data !== null && !Array.isArray(row.data) ? (row.data as Record<string, unknown>) : {},
      }));
    },
  };
}
