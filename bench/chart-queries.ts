/**
 * Chart-query benchmark: how long the service page's chart queries take on a
 * week of data, on the embedded database and on PostgreSQL. Target: under
 * 300 ms each.
 *
 * For each target (embedded PGlite in a temp dir; a fresh `alicia_bench_<hex>`
 * database on DATABASE_URL or postgresql://postgres@127.0.0.1:5432/postgres,
 * dropped at the end, skipped with a line when unreachable):
 *  1. fill: service "bench" (the services row and its 10 instances) and one
 *     week of 5-second samples for the service and each instance
 *     (bench/lib/week-of-samples.ts), brought to the state the product keeps
 *     (raw 24 h, 1m 7 days, 1h). Two ways (`--fill`):
 *     - `direct` (default): the last 24 h of raw rows are inserted, and the 1m
 *       and 1h rows of the whole week are made in memory from the generated
 *       raw rows with server/stats' own rollUp and inserted. Inserting a
 *       week of raw rows (1.33 M) through the product's createMany runs at a
 *       few thousand rows/s on PGlite here (about 8 minutes), too long for
 *       `npm run bench`; the rate measured on the 24 h is printed.
 *     - `product`: every raw row of the week is inserted, hour by hour, and
 *       runMaintenance runs after each hour at that hour's simulated clock, as
 *       the running product would (roll-ups and retention deletes included).
 *     Either way runMaintenance(db, now) then runs until it rolls up nothing
 *     more (it should find nothing to do), then ANALYZE, and the row counts
 *     per resolution and the fill time are printed.
 *  2. each chart query the service page makes (querySeries for the service
 *     and for one instance, queryInstanceSeries), 1 warm-up then `--runs`
 *     timed runs: median and max, points returned, and where the time goes
 *     (rows read by the main range query, its time, and the JS merge time of
 *     rollUp). A query over the target gets its EXPLAIN ANALYZE printed.
 *
 * A measurement, not a test: exits 0 unless a target could not be filled or
 * queried.
 *
 * Usage: npx tsx bench/chart-queries.ts [--runs 5] [--targets embedded,postgres] [--fill direct|product] [--explain]
 */
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { Db, SampleRow } from "../server/db";
import { LatencyHistogram, instanceId as toInstanceId, serviceName as toServiceName } from "../server/engine";
import { RESOLUTION_MS, planSeries, queryInstanceSeries, querySeries, rollUp, runMaintenance } from "../server/stats";
import { DEFAULT_POSTGRES_URL, openEmbedded, openPostgres, type BenchDatabase } from "./lib/bench-databases";
import { cleanUpOnExit } from "./lib/processes";
import { median } from "./lib/report";
import { DAY_MS, HOUR_MS, RAW_INTERVAL_MS, weekOfSamples } from "./lib/week-of-samples";

const TARGET_MS = 300;
const SERVICE = "bench";
const INSTANCES = 10;
const WEEK_MS = 7 * DAY_MS;
const BATCH_ROWS = 2_000;

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    targets: { type: "string", default: "embedded,postgres" },
    fill: { type: "string", default: "direct" },
    explain: { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs <= 0) throw new RangeError(`--runs must be a positive integer, got ${JSON.stringify(values.runs)}`);
const fillMode = values.fill;
if (fillMode !== "direct" && fillMode !== "product") throw new RangeError(`--fill must be direct or product, got ${JSON.stringify(fillMode)}`);
const targets = values.targets.split(",");
const badTarget = targets.find((t) => t !== "embedded" && t !== "postgres");
if (badTarget !== undefined) throw new RangeError(`--targets: unknown target ${JSON.stringify(badTarget)}`);
cleanUpOnExit();

const ms = (start: number) => performance.now() - start;
const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

async function insertAll(db: Db, rows: readonly SampleRow[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += BATCH_ROWS) inserted += await db.stats.insert(rows.slice(i, i + BATCH_ROWS));
  return inserted;
}

/** runMaintenance until it rolls up nothing more (bounded). Returns the runs and rows rolled up / deleted. */
async function maintainUntilIdle(db: Db, now: number): Promise<{ runs: number; rolledUp: number; deleted: number }> {
  let rolledUp = 0;
  let deleted = 0;
  for (let run = 1; run <= 1_000; run++) {
    const result = await runMaintenance(db, now);
    const rolled = result.rolledUp["1m"] + result.rolledUp["1h"];
    rolledUp += rolled;
    deleted += result.deleted.raw + result.deleted["1m"] + result.deleted["1h"];
    if (rolled === 0) return { runs: run, rolledUp, deleted };
  }
  throw new Error("runMaintenance still rolling up after 1000 runs");
}

interface FillReport {
  readonly now: number;
  readonly seconds: number;
  readonly rawInsertRowsPerS: number;
  readonly counts: Record<"raw" | "1m" | "1h", number>;
  readonly finalMaintenance: { runs: number; rolledUp: number; deleted: number };
}

async function fill(db: Db): Promise<FillReport> {
  const started = performance.now();
  const week = weekOfSamples(SERVICE, INSTANCES);
  for (const [i, id] of week.instanceIds.entries()) {
    await db.services.registerInstance(
      toServiceName(SERVICE),
      { id: toInstanceId(id), host: "127.0.0.1", port: 9_000 + i, weight: 1 + (i % 3), enabled: true, draining: false },
      "manual",
    );
  }
  const now = Date.now();
  const from = now - WEEK_MS;
  const rawFrom = now - DAY_MS;
  // The last raw interval that is over, and the buckets runMaintenance would call complete at `now`.
  const rawEnd = Math.floor(now / RAW_INTERVAL_MS) * RAW_INTERVAL_MS;
  const minuteEnd = Math.floor((now - 2 * RESOLUTION_MS.raw) / RESOLUTION_MS["1m"]) * RESOLUTION_MS["1m"];
  const hourEnd = Math.floor((now - 2 * RESOLUTION_MS["1m"]) / HOUR_MS) * HOUR_MS;
  let rawRows = 0;
  let rawMs = 0;
  for (let hour = Math.floor(from / HOUR_MS) * HOUR_MS; hour < rawEnd; hour += HOUR_MS) {
    const raw = week.rawHour(hour, from, rawEnd);
    if (fillMode === "product") {
      const t = performance.now();
      rawRows += await insertAll(db, raw);
      rawMs += ms(t);
      await maintainUntilIdle(db, Math.min(hour + HOUR_MS + 2 * RESOLUTION_MS["1m"], now));
    } else {
      const recent = raw.filter((r) => r.ts.getTime() >= rawFrom);
      if (recent.length > 0) {
        const t = performance.now();
        rawRows += await insertAll(db, recent);
        rawMs += ms(t);
      }
      const minutes = rollUp(raw, RESOLUTION_MS["1m"], "1m").filter((r) => r.ts.getTime() < minuteEnd);
      await insertAll(db, minutes);
      await insertAll(db, rollUp(minutes, HOUR_MS, "1h").filter((r) => r.ts.getTime() < hourEnd));
    }
    if ((hour / HOUR_MS) % 24 === 0) process.stderr.write(`  fill: ${new Date(hour).toISOString()} (${fmt(ms(started) / 1000, 0)} s)\n`);
  }
  const finalMaintenance = await maintainUntilIdle(db, now);
  await db.prisma.$executeRawUnsafe("ANALYZE stat_samples");
  const count = (resolution: string) => db.prisma.statSample.count({ where: { resolution, serviceName: SERVICE } });
  return {
    now,
    seconds: ms(started) / 1000,
    rawInsertRowsPerS: rawRows / (rawMs / 1000),
    counts: { raw: await count("raw"), "1m": await count("1m"), "1h": await count("1h") },
    finalMaintenance,
  };
}

interface ChartQuery {
  readonly name: string;
  readonly rangeMs: number;
  /** instanceId as the repository takes it: "" the service, "*" every instance, or one id. */
  readonly selection: string;
  /** Runs the product's query; returns the points of its longest series and the series count. */
  run(db: Db, now: number): Promise<{ points: number; series: number }>;
}

const firstInstance = "bench-01";
const QUERIES: readonly ChartQuery[] = [
  ...[DAY_MS, WEEK_MS].map((rangeMs) => ({
    name: `service ${rangeMs === DAY_MS ? "24h" : "7d"}`,
    rangeMs,
    selection: "",
    run: async (db: Db, now: number) => ({ points: (await querySeries(db, { service: SERVICE, from: now - rangeMs, to: now, now })).points.length, series: 1 }),
  })),
  ...[DAY_MS, WEEK_MS].map((rangeMs) => ({
    name: `instances ${rangeMs === DAY_MS ? "24h" : "7d"}`,
    rangeMs,
    selection: "*",
    run: async (db: Db, now: number) => {
      const result = await queryInstanceSeries(db, { service: SERVICE, from: now - rangeMs, to: now, now });
      return { points: Math.max(0, ...result.instances.map((i) => i.points.length)), series: result.instances.length };
    },
  })),
  {
    name: "one instance 24h",
    rangeMs: DAY_MS,
    selection: firstInstance,
    run: async (db: Db, now: number) => ({
      points: (await querySeries(db, { service: SERVICE, instanceId: firstInstance, from: now - DAY_MS, to: now, now })).points.length,
      series: 1,
    }),
  },
];

interface QueryResult {
  readonly target: string;
  readonly query: ChartQuery;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly points: number;
  readonly series: number;
  readonly rows: number;
  readonly rangeMs: number;
  readonly mergeMs: number;
  readonly resolution: string;
  readonly bucketMs: number;
}

/** Median of `rounds` timings of `work`, in ms, and its last result. */
async function timed<T>(rounds: number, work: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const times: number[] = [];
  let result = await work();
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    result = await work();
    times.push(ms(t));
  }
  return { ms: median(times), result };
}

async function time(target: BenchDatabase, query: ChartQuery, now: number): Promise<QueryResult> {
  const { db } = target;
  let shape = await query.run(db, now); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    shape = await query.run(db, now);
    times.push(ms(t));
  }
  // Where the time goes: the main range read (database + Prisma decoding) and the JS merge of its rows (medians of 3).
  const plan = planSeries(now - query.rangeMs, now, now);
  const read = await timed(3, () =>
    db.stats.range({ resolution: plan.resolution, serviceName: SERVICE, instanceId: query.selection, from: new Date(now - query.rangeMs), to: new Date(now) }),
  );
  const rows = read.result;
  const merge = await timed(3, () => rollUp(rows, plan.bucketMs, plan.resolution));
  const rangeMs = read.ms;
  const mergeMs = merge.ms;
  return {
    target: target.name,
    query,
    medianMs: median(times),
    maxMs: Math.max(...times),
    ...shape,
    rows: rows.length,
    rangeMs,
    mergeMs,
    resolution: plan.resolution,
    bucketMs: plan.bucketMs,
  };
}

async function explain(db: Db, query: ChartQuery, now: number): Promise<string> {
  const plan = planSeries(now - query.rangeMs, now, now);
  const instanceFilter = query.selection === "*" ? `instance_id <> ''` : `instance_id = '${query.selection}'`;
  const sql =
    `EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM stat_samples WHERE resolution = '${plan.resolution}' AND service_name = '${SERVICE}' AND ${instanceFilter} ` +
    `AND ts >= '${new Date(now - query.rangeMs).toISOString()}' AND ts < '${new Date(now).toISOString()}' ORDER BY ts, instance_id`;
  const lines = await db.prisma.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(sql);
  return lines.map((l) => `      ${l["QUERY PLAN"]}`).join("\n");
}

/**
 * For a query over target: the same read done other ways (the product's
 * findMany of every column; only the columns a chart needs, with and without
 * the histogram; raw SQL), the cost of decoding the histograms alone, and what
 * a pre-rolled 5-minute resolution would read. Timings are medians of 3.
 */
async function diagnose(db: Db, query: ChartQuery, now: number): Promise<string> {
  const plan = planSeries(now - query.rangeMs, now, now);
  const from = new Date(now - query.rangeMs);
  const to = new Date(now);
  const where = {
    resolution: plan.resolution,
    serviceName: SERVICE,
    instanceId: query.selection === "*" ? { not: "" } : query.selection,
    ts: { gte: from, lt: to },
  };
  const orderBy = [{ ts: "asc" as const }, { instanceId: "asc" as const }];
  const chartColumns = {
    ts: true,
    instanceId: true,
    totalRequests: true,
    failedRequests: true,
    activeConnections: true,
    healthyInstances: true,
    unhealthyInstances: true,
  } as const;
  const all = await timed(3, () => db.stats.range({ resolution: plan.resolution, serviceName: SERVICE, instanceId: query.selection, from, to }));
  const withHistogram = await timed(3, () => db.prisma.statSample.findMany({ where, orderBy, select: { ...chartColumns, histogram: true } }));
  const withoutHistogram = await timed(3, () => db.prisma.statSample.findMany({ where, orderBy, select: { ...chartColumns, p95Ms: true } }));
  const instanceFilter = query.selection === "*" ? "instance_id <> ''" : "instance_id = $4";
  const raw = await timed(3, () =>
    db.prisma.$queryRawUnsafe<unknown[]>(
      `SELECT ts, instance_id, total_requests, failed_requests, active_connections, healthy_instances, unhealthy_instances, histogram FROM stat_samples ` +
        `WHERE resolution = $1 AND service_name = '${SERVICE}' AND ${instanceFilter} AND ts >= $2 AND ts < $3 ORDER BY ts, instance_id`,
      plan.resolution,
      from,
      to,
      ...(query.selection === "*" ? [] : [query.selection]),
    ),
  );
  const rows = all.result;
  const decode = await timed(3, () => rows.map((r) => (r.histogram === null ? undefined : LatencyHistogram.fromBytes(r.histogram))));
  const bytes = rows.reduce((sum, r) => sum + (r.histogram?.length ?? 0), 0);
  const fiveMinute = rollUp(rows, 300_000, plan.resolution);
  const fiveMinuteMerge = await timed(3, () => rollUp(fiveMinute, plan.bucketMs, plan.resolution));
  return [
    `      ${rows.length} rows of ${plan.resolution}, histograms ${fmt(bytes / Math.max(1, rows.length))} bytes each on average (${fmt(bytes / 1024)} KiB)`,
    `      read, product (findMany, every column):             ${fmt(all.ms, 1)} ms`,
    `      read, findMany of the chart's columns + histogram:  ${fmt(withHistogram.ms, 1)} ms`,
    `      read, findMany of the chart's columns, no histogram: ${fmt(withoutHistogram.ms, 1)} ms`,
    `      read, $queryRawUnsafe of the chart's columns + histogram: ${fmt(raw.ms, 1)} ms`,
    `      JS: LatencyHistogram.fromBytes of every row alone:   ${fmt(decode.ms, 1)} ms`,
    `      a pre-rolled 5m resolution would read ${fiveMinute.length} rows; merging those into the chart's buckets: ${fmt(fiveMinuteMerge.ms, 1)} ms`,
  ].join("\n");
}

function table(results: readonly QueryResult[]): string {
  const header = ["target", "query", "median ms", "max ms", "points", "series", "source", "rows read", "read ms", "merge ms", `< ${TARGET_MS} ms`];
  const lines = results.map((r) => [
    r.target,
    r.query.name,
    fmt(r.medianMs, 1),
    fmt(r.maxMs, 1),
    String(r.points),
    String(r.series),
    `${r.resolution}/${r.bucketMs / 60_000}m`,
    String(r.rows),
    fmt(r.rangeMs, 1),
    fmt(r.mergeMs, 1),
    r.maxMs < TARGET_MS ? "met" : r.medianMs < TARGET_MS ? "median met, max NOT" : "NOT met",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (i < 2 || i === 6 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [format(header), format(widths.map((w) => "-".repeat(w))), ...lines.map(format)].join("\n");
}

console.log(
  `chart-query benchmark, ${new Date().toISOString()}: node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}; service "${SERVICE}" with ${INSTANCES} instances, one week of ${RAW_INTERVAL_MS / 1000}-second samples, ` +
    `fill "${fillMode}", ${runs} timed runs after 1 warm-up per query`,
);
if (fillMode === "direct") {
  console.log(
    "  fill direct: last 24 h of raw rows inserted; the week's 1m and 1h rows made from the generated raw rows with server/stats rollUp and inserted " +
      "(a week of raw rows through createMany takes minutes; see the raw insert rate below)",
  );
}
const results: QueryResult[] = [];
const failed: string[] = [];
for (const name of targets) {
  let target: BenchDatabase | string;
  try {
    target = name === "embedded" ? await openEmbedded() : await openPostgres(process.env.DATABASE_URL ?? DEFAULT_POSTGRES_URL);
  } catch (error) {
    failed.push(name);
    console.log(`\n${name}: could not open: ${error instanceof Error ? error.message : String(error)}`);
    continue;
  }
  if (typeof target === "string") {
    console.log(`\n${name}: SKIPPED: ${target}`);
    continue;
  }
  try {
    console.log(`\n${name}: ${target.location}`);
    const report = await fill(target.db);
    const total = report.counts.raw + report.counts["1m"] + report.counts["1h"];
    console.log(
      `  filled in ${fmt(report.seconds, 1)} s: raw ${report.counts.raw}, 1m ${report.counts["1m"]}, 1h ${report.counts["1h"]} rows (${total} in all); ` +
        `raw inserts ${fmt(report.rawInsertRowsPerS)} rows/s (a week of raw rows, ${INSTANCES + 1} series: ≈ ${fmt(((INSTANCES + 1) * (WEEK_MS / RAW_INTERVAL_MS)) / report.rawInsertRowsPerS)} s)`,
    );
    console.log(
      `  final runMaintenance: ${report.finalMaintenance.runs} run(s), ${report.finalMaintenance.rolledUp} rows rolled up, ${report.finalMaintenance.deleted} deleted by retention`,
    );
    const own: QueryResult[] = [];
    for (const query of QUERIES) own.push(await time(target, query, report.now));
    results.push(...own);
    for (const result of own) {
      if (values.explain || result.maxMs >= TARGET_MS) {
        console.log(`  EXPLAIN ANALYZE of the main range read of "${result.query.name}" (${result.maxMs >= TARGET_MS ? "over target" : "--explain"}):`);
        console.log(await explain(target.db, result.query, report.now));
        console.log(`  where the time of "${result.query.name}" goes:`);
        console.log(await diagnose(target.db, result.query, report.now));
      }
    }
  } catch (error) {
    failed.push(name);
    console.log(`  FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await target.dispose().catch((error: unknown) => console.log(`  cleanup failed: ${String(error)}`));
  }
}
console.log("");
console.log(table(results));
console.log(
  `\npoints: of the longest series returned (the chart's x axis; MAX_POINTS is 300); series: lines returned. source: resolution read / bucket. ` +
    `rows read, read ms: the main range read alone (database + Prisma decoding); merge ms: rollUp of those rows (histogram merging) in JS.`,
);
const missed = results.filter((r) => r.maxMs >= TARGET_MS);
console.log(
  missed.length === 0 && results.length > 0
    ? `all ${results.length} chart queries under ${TARGET_MS} ms (max of ${runs} runs)`
    : `${missed.length} of ${results.length} chart queries at or over ${TARGET_MS} ms (max of ${runs} runs)${missed.length > 0 ? `: ${missed.map((r) => `${r.target} ${r.query.name}`).join(", ")}` : ""}`,
);
if (failed.length > 0) console.log(`failed: ${failed.join(", ")}`);
process.exitCode = failed.length > 0 ? 1 : 0;
