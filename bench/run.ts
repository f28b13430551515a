/**
 * Throughput benchmark of the proxy (`npm run bench`): for each configuration
 * (bench/lib/configurations.ts), fresh processes (two backends + the front)
 * pinned to core 1, a warm-up, then one measured run of the load generator
 * pinned to core 0 (wrk -t1 -c50, or autocannon without wrk). Prints one row
 * per configuration (req/s, p50, p99, front CPU µs/request from /proc, front
 * RSS), the ratios of this run against their targets, then the engine pick
 * benchmark (bench/engine-pick.ts) and the chart-query benchmark
 * (bench/chart-queries.ts).
 *
 * Recording on vs off: `this-proxy` and `this-proxy-recording` (the same front
 * recording its stats into an embedded database, as server/main.ts does) run
 * `--pairs-rounds` times each, alternately (the table's pair is round 1, then
 * the order flips every round), and the median of the per-round throughput
 * ratios is compared with its target (>= 0.97); single runs here vary by
 * ±10 % and more. Each recording run must report the samples it wrote.
 *
 * Against the references: minimal, http-proxy and this-proxy run `--rounds`
 * times (the table's runs are round 1, later rounds rotate the order), and
 * the targets are judged on the medians of the per-round ratios, for the same
 * reason.
 *
 * A measurement, not a test: exits 0 unless a configuration failed to run
 * (start failure, wrong answer, more than 1 % errors / non-2xx, a recording
 * front that recorded nothing) or a follow-up benchmark crashed.
 *
 * Usage: npm run bench [-- --duration 15 --warmup 2 --connections 50 --only minimal,this-proxy
 *        --pairs 20000 --pairs-rounds 3 --rounds 3 --loadgen wrk|autocannon --no-charts]
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { autocannonGenerator } from "./lib/autocannon";
import { CONFIGURATIONS, LOAD_CORE, POST_BODY, SERVER_CORE, type Configuration } from "./lib/configurations";
import { errorRatio, type LoadGenerator, type LoadSpec } from "./lib/load";
import { HAS_TASKSET, cleanUpOnExit, hasCommand, runToEnd, startAnnouncingServer, tsxArgs, type Server } from "./lib/processes";
import { cpuUs, rssMiB } from "./lib/proc-stats";
import {
  formatPairs,
  formatRatios,
  formatReferenceRounds,
  formatTable,
  median,
  pairRatios,
  referenceMedians,
  type PairRound,
  type Ratio,
  type ReferenceRound,
  type Row,
} from "./lib/report";
import { wrkGenerator } from "./lib/wrk";

const MAX_ERROR_RATIO = 0.01;

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "15" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "50" },
    only: { type: "string" },
    pairs: { type: "string", default: "20000" },
    loadgen: { type: "string" },
    "pairs-rounds": { type: "string", default: "3" },
    rounds: { type: "string", default: "3" },
    "no-charts": { type: "boolean", default: false },
  },
});

function positiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`--${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

const durationS = positiveInt("duration", values.duration);
const warmupS = positiveInt("warmup", values.warmup);
const connections = positiveInt("connections", values.connections);
const pairs = positiveInt("pairs", values.pairs);
const pairsRounds = positiveInt("pairs-rounds", values["pairs-rounds"]);
const referenceRoundCount = positiveInt("rounds", values.rounds);
const only = values.only?.split(",");
const unknown = only?.filter((name) => !CONFIGURATIONS.some((c) => c.name === name)) ?? [];
if (unknown.length > 0) throw new RangeError(`--only: unknown configuration(s) ${unknown.join(", ")}`);
const useWrk = values.loadgen === undefined ? hasCommand("wrk") : values.loadgen === "wrk";
const generator: LoadGenerator = useWrk ? wrkGenerator() : autocannonGenerator();
cleanUpOnExit();

/** One request through the front, so a front that answers wrongly fails before it is measured. */
async function probe(url: string, configuration: Configuration): Promise<void> {
  const response = await fetch(url, {
    method: configuration.method,
    ...(configuration.method === "POST" ? { body: POST_BODY } : {}),
    signal: AbortSignal.timeout(5_000),
  });
  const body = await response.text();
  if (response.status !== 200 || !body.includes("alicia-bench-backend")) {
    throw new Error(`probe: ${response.status} ${body.slice(0, 200)}`);
  }
}

async function measure(configuration: Configuration): Promise<Row> {
  const { name } = configuration;
  const backends: Server[] = [];
  let front: Server | undefined;
  let row: Row;
  try {
    for (let i = 0; i < 2; i++) backends.push(await startAnnouncingServer(SERVER_CORE, tsxArgs("bench/backend.ts", [])));
    front = await configuration.start(backends);
    const url = `http://127.0.0.1:${front.port}${configuration.path}`;
    await probe(url, configuration);
    const spec: LoadSpec = { url, method: configuration.method, body: POST_BODY, connections, durationS, core: LOAD_CORE };
    await generator.run({ ...spec, durationS: warmupS });
    const cpuBefore = cpuUs(front.pid);
    const load = await generator.run(spec);
    const cpuUsPerRequest = (cpuUs(front.pid) - cpuBefore) / load.requests;
    row = { name, load, cpuUsPerRequest, rssMiB: rssMiB(front.pid) };
    const ratio = errorRatio(load);
    if (ratio > MAX_ERROR_RATIO) row = { ...row, failure: `${(100 * ratio).toFixed(1)}% errors or non-2xx` };
  } catch (error) {
    row = { name, failure: error instanceof Error ? error.message.split("\n")[0] ?? error.message : String(error) };
  } finally {
    await front?.stop();
    for (const backend of backends) await backend.stop();
  }
  // What the front reports when it stops (e.g. the samples it recorded) is known only now.
  if (row.failure === undefined && configuration.verify !== undefined) row = { ...row, ...configuration.verify(front?.output?.() ?? "") };
  return row;
}

async function measureLogged(configuration: Configuration): Promise<Row> {
  const row = await measure(configuration);
  const status = row.failure === undefined ? `${row.load?.reqPerS.toFixed(0) ?? "?"} req/s${row.note === undefined ? "" : ` (${row.note})`}` : `FAILED: ${row.failure}`;
  console.error(`  done: ${row.name} ${status}`);
  return row;
}

/** Recording off and on, alternately, `pairsRounds` times; the table's own pair (measured back to back) is round 1. */
async function recordingRounds(rows: readonly Row[]): Promise<PairRound[]> {
  const off = CONFIGURATIONS.find((c) => c.name === "this-proxy");
  const on = CONFIGURATIONS.find((c) => c.name === "this-proxy-recording");
  if (off === undefined || on === undefined) return [];
  const rounds: PairRound[] = [];
  const tableOff = rows.find((r) => r.name === off.name);
  const tableOn = rows.find((r) => r.name === on.name);
  if (tableOff !== undefined && tableOn !== undefined) rounds.push({ off: tableOff, on: tableOn, order: "off, on" });
  while (rounds.length < pairsRounds) {
    if (rounds.length % 2 === 1) {
      const onRow = await measureLogged(on);
      rounds.push({ on: onRow, off: await measureLogged(off), order: "on, off" });
    } else {
      const offRow = await measureLogged(off);
      rounds.push({ off: offRow, on: await measureLogged(on), order: "off, on" });
    }
  }
  return rounds;
}

/** minimal, http-proxy and this-proxy again, `referenceRoundCount` rounds in all; round k runs them in the order rotated by k. */
async function referenceRounds(rows: readonly Row[]): Promise<ReferenceRound[]> {
  const names = ["minimal", "http-proxy", "this-proxy"];
  const configurations = names.map((name) => CONFIGURATIONS.find((c) => c.name === name));
  const tableRows = names.map((name) => rows.find((r) => r.name === name));
  if (configurations.some((c) => c === undefined) || tableRows.some((r) => r === undefined)) return [];
  const rounds: ReferenceRound[] = [{ rows: tableRows.filter((r) => r !== undefined) }];
  while (rounds.length < referenceRoundCount) {
    const k = rounds.length;
    const order = configurations.map((_, i) => configurations[(i + k) % configurations.length]).filter((c) => c !== undefined);
    const roundRows: Row[] = [];
    for (const configuration of order) roundRows.push(await measureLogged(configuration));
    rounds.push({ rows: roundRows });
  }
  return rounds;
}

const selected = CONFIGURATIONS.filter((c) => only === undefined || only.includes(c.name));
console.log(
  `proxy throughput benchmark, ${new Date().toISOString()}: node ${process.version}, ${availableParallelism()} cores, ` +
    `${generator.name} -c${connections}, ${warmupS} s warm-up + ${durationS} s per configuration, ` +
    (HAS_TASKSET ? `servers on core ${SERVER_CORE}, load on core ${LOAD_CORE}` : "NOT pinned (no taskset)"),
);
for (const c of selected) console.log(`  ${c.name.padEnd(20)} ${c.method} ${c.path}  ${c.summary}`);
console.log("");

const rows: Row[] = [];
for (const configuration of selected) rows.push(await measureLogged(configuration));
const rounds = selected.some((c) => c.name === "this-proxy-recording") ? await recordingRounds(rows) : [];
const references = await referenceRounds(rows);
console.log("");
console.log(formatTable(rows));
const extraRatios: Ratio[] = [];
if (references.length > 0) {
  console.log("");
  console.log(`this-proxy against the references, ${references.length} rounds (round 1 is the table's runs), order rotating:`);
  console.log(formatReferenceRounds(references));
  extraRatios.push(...referenceMedians(references));
}
if (rounds.length > 0) {
  console.log("");
  console.log(`recording on (this-proxy-recording) vs off (this-proxy), ${rounds.length} rounds, order alternating:`);
  console.log(formatPairs(rounds));
  extraRatios.push({
    label: `this-proxy-recording ÷ this-proxy, throughput (median of ${rounds.length})`,
    value: median(pairRatios(rounds)),
    target: { op: ">=", bound: 0.97 },
    digits: 3,
  });
}
console.log("");
console.log(formatRatios(rows, extraRatios, references.length === 0));
console.log("");

const pick = await runToEnd(undefined, tsxArgs("bench/engine-pick.ts", [pairs]), 180_000, "inherit");
generator.dispose();
const failed = [...rows, ...rounds.flatMap((r) => [r.off, r.on]), ...references.flatMap((r) => r.rows)].filter((r) => r.failure !== undefined).map((r) => r.name);
if (pick.code !== 0) failed.push("engine-pick");
if (!values["no-charts"]) {
  console.log("");
  const charts = await runToEnd(undefined, tsxArgs("bench/chart-queries.ts", []), 1_200_000, "inherit");
  if (charts.code !== 0) failed.push("chart-queries");
}
if (failed.length > 0) console.log(`\nfailed: ${[...new Set(failed)].join(", ")}`);
process.exitCode = failed.length > 0 ? 1 : 0;
