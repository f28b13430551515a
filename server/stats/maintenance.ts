/**
 * Roll-ups and retention, run once a minute (and at start):
 *  - raw → 1m and 1m → 1h, for complete buckets only, continuing from the
 *    newest roll-up row (idempotent: rows are unique per series and start);
 *  - deletes raw rows older than RAW retention (default 24 h), 1m older than
 *    7 days, 1h older than 90 days.
 * A run handles at most `maxBucketsPerRun` buckets per resolution so a long
 * backlog is worked off in bounded steps. Raw rows still in the recorder's
 * buffer (the database was down) are not rolled up until written: the caller
 * only runs maintenance when the buffer is empty.
 */
import type { Db, Resolution } from "../db";
import { RESOLUTION_MS, rollUp } from "./rollup";

export interface Retention {
  rawMs: number;
  minuteMs: number;
  hourMs: number;
}

export const DEFAULT_RETENTION: Retention = { rawMs: 24 * 3_600_000, minuteMs: 7 * 86_400_000, hourMs: 90 * 86_400_000 };

export interface MaintenanceResult {
  rolledUp: Record<"1m" | "1h", number>;
  deleted: Record<Resolution, number>;
}

async function rollUpInto(
  db: Pick<Db, "stats">,
  from: Resolution,
  to: "1m" | "1h",
  now: number,
  maxBuckets: number,
  graceMs: number,
  /** Source rows are complete before this time (a finer roll-up still catching up is not). */
  sourceCompleteUntil = Number.POSITIVE_INFINITY,
): Promise<number> {
  const bucketMs = RESOLUTION_MS[to];
  const newest = await db.stats.latest(to);
  // Start at the first source row after the newest roll-up (skipping any gap, e.g. the process was stopped).
  const first = await db.stats.earliest(from, newest === undefined ? undefined : new Date(newest.getTime() + bucketMs));
  if (first === undefined) return 0;
  const start = Math.floor(first.getTime() / bucketMs) * bucketMs;
  // Complete buckets only, with a grace period for the last raw interval to be written.
  const end = Math.min(
    Math.floor((now - graceMs) / bucketMs) * bucketMs,
    start + maxBuckets * bucketMs,
    Math.floor(sourceCompleteUntil / bucketMs) * bucketMs,
  );
  if (end <= start) return 0;
  const rows = await db.stats.rangeAll(from, new Date(start), new Date(end));
  if (rows.length === 0) return 0;
  return db.stats.insert(rollUp(rows, bucketMs, to));
}

export async function runMaintenance(
  db: Pick<Db, "stats">,
  now: number,
  retention: Retention = DEFAULT_RETENTION,
  maxBucketsPerRun = 360,
): Promise<MaintenanceResult> {
  const minutes = await rollUpInto(db, "raw", "1m", now, maxBucketsPerRun, RESOLUTION_MS.raw * 2);
  // Hours only up to the minutes rolled so far: when raw → 1m stopped at its per-run limit, the
  // hour it stopped in is not complete yet and must wait for the next run.
  const newestMinute = await db.stats.latest("1m");
  const minutesUntil = newestMinute === undefined ? Number.NEGATIVE_INFINITY : newestMinute.getTime() + RESOLUTION_MS["1m"];
  const rawLeft = await db.stats.earliest("raw", Number.isFinite(minutesUntil) ? new Date(minutesUntil) : undefined);
  const rawCaughtUp = rawLeft === undefined || rawLeft.getTime() >= Math.floor((now - RESOLUTION_MS.raw * 2) / RESOLUTION_MS["1m"]) * RESOLUTION_MS["1m"];
  const hours = await rollUpInto(db, "1m", "1h", now, maxBucketsPerRun, RESOLUTION_MS["1m"] * 2, rawCaughtUp ? Number.POSITIVE_INFINITY : minutesUntil);
  const deleted = {
    raw: await db.stats.deleteBefore("raw", new Date(now - retention.rawMs)),
    "1m": await db.stats.deleteBefore("1m", new Date(now - retention.minuteMs)),
    "1h": await db.stats.deleteBefore("1h", new Date(now - retention.hourMs)),
  };
  return { rolledUp: { "1m": minutes, "1h": hours }, deleted };
}
