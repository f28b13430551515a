/**
 * Stat samples: one row per service (instanceId "") or instance per interval,
 * at resolution "raw" (the recorder's interval) or the "1m" / "1h" roll-ups.
 * `ts` is the start of the interval. Rows are written in batches and are
 * idempotent per (resolution, service, instance, ts).
 */
import type { PrismaClient } from "./generated/client";

export const RESOLUTIONS = ["raw", "1m", "1h"] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export interface SampleRow {
  ts: Date;
  resolution: Resolution;
  serviceName: string;
  /** "" for the service as a whole. */
  instanceId: string;
  intervalMs: number;
  algorithm: string;
  totalRequests: number;
  failedRequests: number;
  failed5xx: number;
  failedConnect: number;
  failedTimeout: number;
  clientAborts: number;
  status4xx: number;
  activeConnections: number;
  healthyInstances: number;
  unhealthyInstances: number;
  avgResponseMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  throughputRps: number;
  /** LatencyHistogram.toBytes() of the interval; null when nothing was recorded. */
  histogram: Uint8Array | null;
}

export interface RangeQuery {
  resolution: Resolution;
  serviceName: string;
  /** One instance, "" for the service rows, or "*" for every instance row (not the service's). */
  instanceId: string;
  from: Date;
  to: Date;
  /** Skip the histogram column (it is most of a row's size) when only counts and stored percentiles are needed. */
  withoutHistogram?: boolean;
}

export interface StatsRepository {
  /** Inserts rows in one statement; rows already present are skipped. Returns rows inserted. */
  insert(rows: readonly SampleRow[]): Promise<number>;
  range(query: RangeQuery): Promise<SampleRow[]>;
  /** Every row (services and instances) of a resolution starting in [from, to). */
  rangeAll(resolution: Resolution, from: Date, to: Date): Promise<SampleRow[]>;
  /** Start of the newest row at a resolution, if any. */
  latest(resolution: Resolution): Promise<Date | undefined>;
  /** Start of the oldest row at a resolution (at or after `from`, if given), if any. */
  earliest(resolution: Resolution, from?: Date): Promise<Date | undefined>;
  /** Deletes rows of a resolution that start before `before`. Returns rows deleted. */
  deleteBefore(resolution: Resolution, before: Date): Promise<number>;
}

type Row = Awaited<ReturnType<PrismaClient["statSample"]["findMany"]>>[number];

function toSample(row: Row): SampleRow {
  const { id: _id, histogram, resolution, ...rest } = row;
  return {
    ...rest,
    resolution: resolution === "1m" || resolution === "1h" ? resolution : "raw",
    // Absent (not only null) when the query omitted the column.
    histogram: (histogram as Uint8Array | null | undefined) == null ? null : new Uint8Array(histogram as Uint8Array),
  };
}

export function createStatsRepository(prisma: PrismaClient): StatsRepository {
  return {
    async insert(rows) {
      if (rows.length === 0) return 0;
      const { count } = await prisma.statSample.createMany({
        data: rows.map((row) => ({ ...row, histogram: row.histogram === null ? null : Buffer.from(row.histogram) })),
        skipDuplicates: true,
      });
      return count;
    },
    async range(query) {
      const rows = await prisma.statSample.findMany({
        where: {
          resolution: query.resolution,
          serviceName: query.serviceName,
          instanceId: query.instanceId === "*" ? { not: "" } : query.instanceId,
          ts: { gte: query.from, lt: query.to },
        },
        ...(query.withoutHistogram === true ? { omit: { histogram: true } } : {}),
        orderBy: [{ ts: "asc" }, { instanceId: "asc" }],
      });
      return rows.map(toSample);
    },
    async rangeAll(resolution, from, to) {
      const rows = await prisma.statSample.findMany({
        where: { resolution, ts: { gte: from, lt: to } },
        orderBy: [{ ts: "asc" }, { serviceName: "asc" }, { instanceId: "asc" }],
      });
      return rows.map(toSample);
    },
    async latest(resolution) {
      const row = await prisma.statSample.findFirst({ where: { resolution }, orderBy: { ts: "desc" }, select: { ts: true } });
      return row?.ts;
    },
    async earliest(resolution, from) {
      const row = await prisma.statSample.findFirst({
        where: { resolution, ...(from === undefined ? {} : { ts: { gte: from } }) },
        orderBy: { ts: "asc" },
        select: { ts: true },
      });
      return row?.ts;
    },
    async deleteBefore(resolution, before) {
      const { count } = await prisma.statSample.deleteMany({ where: { resolution, ts: { lt: before } } });
      return count;
    },
  };
}
