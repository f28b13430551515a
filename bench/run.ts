/**
 * Throughput benchmark of the proxy (`npm run bench`): for each configuration
 * (bench/lib/configurations.ts), fresh processes (two backends + the front)
 * pinned to core 1, a warm-up, then one measured run of the load generator
 * pinned to core 0 (wrk -t1 -c50, or autocannon without wrk). Prints one row
 * per configuration (req/s, p50, p99, front CPU µs/request from /proc, front
 * RSS), the ratios of this run against their targets, then the engine pick
 * benchmark (bench/engine-pick.ts). A measurement, not a test: exits 0 unless
 * a configuration failed to run (start failure, wrong answer, or more than 1 %
 * errors / non-2xx).
 *
 * Usage: npm run bench [-- --duration 15 --warmup 2 --connections 50 --only minimal,this-proxy
 *        --pairs 20000 --loadgen wrk|autocannon]
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { autocannonGenerator } from "./lib/autocannon";
import { CONFIGURATIONS, LOAD_CORE, POST_BODY, SERVER_CORE, type Configuration } from "./lib/configurations";
import { errorRatio, type LoadGenerator, type LoadSpec } from "./lib/load";
import { HAS_TASKSET, cleanUpOnExit, hasCommand, runToEnd, startAnnouncingServer, tsxArgs, type Server } from "./lib/processes";
import { cpuUs, rssMiB } from "./lib/proc-stats";
import { formatRatios, formatTable, type Row } from "./lib/report";
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
    const row: Row = { name, load, cpuUsPerRequest, rssMiB: rssMiB(front.pid) };
    const ratio = errorRatio(load);
    return ratio > MAX_ERROR_RATIO ? { ...row, failure: `${(100 * ratio).toFixed(1)}% errors or non-2xx` } : row;
  } catch (error) {
    return { name, failure: error instanceof Error ? error.message.split("\n")[0] ?? error.message : String(error) };
  } finally {
    await front?.stop();
    for (const backend of backends) await backend.stop();
  }
}

const selected = CONFIGURATIONS.filter((c) => only === undefined || only.includes(c.name));
console.log(
  `proxy throughput benchmark, ${new Date().toISOString()}: node ${process.version}, ${availableParallelism()} cores, ` +
    `${generator.name} -c${connections}, ${warmupS} s warm-up + ${durationS} s per configuration, ` +
    (HAS_TASKSET ? `servers on core ${SERVER_CORE}, load on core ${LOAD_CORE}` : "NOT pinned (no taskset)"),
);
for (const c of selected) console.log(`  ${c.name.padEnd(16)} ${c.method} ${c.path}  ${c.summary}`);
console.log("");

const rows: Row[] = [];
for (const configuration of selected) {
  const row = await measure(configuration);
  rows.push(row);
  console.error(`  done: ${row.name} ${row.failure === undefined ? `${row.load?.reqPerS.toFixed(0) ?? "?"} req/s` : `FAILED: ${row.failure}`}`);
}
console.log("");
console.log(formatTable(rows));
console.log("");
console.log(formatRatios(rows));
console.log("");

const pick = await runToEnd(undefined, tsxArgs("bench/engine-pick.ts", [pairs]), 180_000, "inherit");
generator.dispose();
const failed = rows.filter((r) => r.failure !== undefined).map((r) => r.name);
if (pick.code !== 0) failed.push("engine-pick");
if (failed.length > 0) console.log(`\nfailed: ${failed.join(", ")}`);
process.exitCode = failed.length > 0 ? 1 : 0;
