/**
 * The benchmark's printed output: one row per configuration, the rounds of
 * recording on vs off, then the ratios of this run (this-proxy against the
 * references, recording on ÷ off) with their targets.
 */
import type { LoadResult } from "./load";

export interface Row {
  readonly name: string;
  readonly load?: LoadResult;
  /** Front-process CPU (user + system) per request, µs. */
  readonly cpuUsPerRequest?: number;
  /** Front-process resident memory at the end, MiB. */
  readonly rssMiB?: number;
  /** Why the configuration failed, if it did. */
  readonly failure?: string;
  /** What the configuration's own check found (e.g. samples recorded). */
  readonly note?: string;
}

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(digits);

export function formatTable(rows: readonly Row[]): string {
  const direct = rows.find((r) => r.name === "direct")?.load?.reqPerS;
  const header = ["configuration", "req/s", "vs direct", "p50 ms", "p99 ms", "CPU µs/req", "RSS MiB", "non-2xx", "sock err", "status"];
  const lines = rows.map((r) => [
    r.name,
    fixed(r.load?.reqPerS, 0),
    r.load === undefined || direct === undefined ? "n/a" : `${((100 * r.load.reqPerS) / direct).toFixed(0)}%`,
    fixed(r.load?.p50Ms, 2),
    fixed(r.load?.p99Ms, 2),
    fixed(r.cpuUsPerRequest, 1),
    fixed(r.rssMiB, 1),
    r.load === undefined ? "n/a" : String(r.load.non2xx),
    r.load === undefined ? "n/a" : String(r.load.socketErrors),
    r.failure === undefined ? (r.note === undefined ? "ok" : `ok: ${r.note}`) : `FAILED: ${r.failure}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [format(header), format(widths.map((w) => "-".repeat(w))), ...lines.map(format)].join("\n");
}

export interface Ratio {
  readonly label: string;
  readonly value: number;
  readonly target?: { readonly op: ">=" | "<="; readonly bound: number };
  /** Decimals shown (default 2). */
  readonly digits?: number;
}

/** The three targets for this-proxy against the reference forwarders. */
export const REFERENCE_TARGETS = [
  { label: "this-proxy ÷ minimal, throughput", of: "minimal", metric: "reqPerS", target: { op: ">=", bound: 1.0 } },
  { label: "this-proxy ÷ http-proxy, throughput", of: "http-proxy", metric: "reqPerS", target: { op: ">=", bound: 1.5 } },
  { label: "this-proxy ÷ minimal, p99 latency", of: "minimal", metric: "p99Ms", target: { op: "<=", bound: 1.5 } },
] as const;

/** this-proxy's metric ÷ the reference's, from one set of rows (NaN when either is missing or failed). */
export function referenceRatio(rows: readonly Row[], reference: string, metric: "reqPerS" | "p99Ms"): number {
  const load = (name: string) => rows.find((r) => r.name === name && r.failure === undefined)?.load;
  const ours = load("this-proxy")?.[metric];
  const theirs = load(reference)?.[metric];
  return ours === undefined || theirs === undefined ? Number.NaN : ours / theirs;
}

function ratios(rows: readonly Row[], withTargets: boolean): Ratio[] {
  const load = (name: string) => rows.find((r) => r.name === name && r.failure === undefined)?.load;
  const direct = load("direct");
  const out: Ratio[] = [];
  const add = (label: string, a: number | undefined, b: number | undefined, target?: Ratio["target"]) => {
    out.push({ label, value: a === undefined || b === undefined ? Number.NaN : a / b, ...(target === undefined ? {} : { target }) });
  };
  for (const t of REFERENCE_TARGETS) {
    out.push({ label: t.label, value: referenceRatio(rows, t.of, t.metric), ...(withTargets ? { target: t.target } : {}) });
  }
  for (const row of rows) {
    if (row.name === "direct") continue;
    add(`${row.name} ÷ direct, throughput`, load(row.name)?.reqPerS, direct?.reqPerS);
  }
  return out;
}

/**
 * The ratios of `rows`, then `extra` (computed elsewhere, e.g. the medians of
 * rounds). `withTargets` false: the table's single-run ratios are shown
 * without verdicts, because the verdicts are given on the medians in `extra`.
 */
export function formatRatios(rows: readonly Row[], extra: readonly Ratio[] = [], withTargets = true): string {
  const all = [...ratios(rows, withTargets), ...extra];
  const width = Math.max(...all.map((r) => r.label.length));
  return all
    .map((r) => {
      const value = Number.isFinite(r.value) ? r.value.toFixed(r.digits ?? 2) : "n/a";
      let verdict = "";
      if (r.target !== undefined) {
        const met = r.target.op === ">=" ? r.value >= r.target.bound : r.value <= r.target.bound;
        verdict = `  target ${r.target.op} ${r.target.bound.toFixed(Number.isInteger(r.target.bound * 10) ? 1 : 2)}: ${Number.isFinite(r.value) ? (met ? "met" : "NOT met") : "not measured"}`;
      }
      return `${r.label.padEnd(width)}  ${value.padStart(5)}${verdict}`;
    })
    .join("\n");
}

/** One round of recording off (`this-proxy`) and on (`this-proxy-recording`), in the order they ran. */
export interface PairRound {
  readonly off: Row;
  readonly on: Row;
  readonly order: "off, on" | "on, off";
}

const usable = (row: Row) => (row.failure === undefined ? row.load : undefined);

export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

/** Per round: on ÷ off throughput (NaN when either failed). */
export function pairRatios(rounds: readonly PairRound[]): number[] {
  return rounds.map((r) => {
    const on = usable(r.on);
    const off = usable(r.off);
    return on === undefined || off === undefined ? Number.NaN : on.reqPerS / off.reqPerS;
  });
}

export function formatPairs(rounds: readonly PairRound[]): string {
  const header = ["round", "order", "off req/s", "off CPU µs/req", "on req/s", "on CPU µs/req", "on ÷ off", "recorded (on)"];
  const ratiosOf = pairRatios(rounds);
  const lines = rounds.map((r, i) => [
    String(i + 1),
    r.order,
    r.off.failure === undefined ? fixed(r.off.load?.reqPerS, 0) : "FAILED",
    fixed(r.off.cpuUsPerRequest, 1),
    r.on.failure === undefined ? fixed(r.on.load?.reqPerS, 0) : "FAILED",
    fixed(r.on.cpuUsPerRequest, 1),
    fixed(ratiosOf[i], 3),
    r.on.failure ?? r.on.note ?? "n/a",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const cpu = median(rounds.map((r) => (r.on.cpuUsPerRequest ?? Number.NaN) / (r.off.cpuUsPerRequest ?? Number.NaN)));
  return [
    format(header),
    format(widths.map((w) => "-".repeat(w))),
    ...lines.map(format),
    `median on ÷ off: throughput ${fixed(median(ratiosOf), 3)}, front CPU per request ${fixed(cpu, 3)}`,
  ].join("\n");
}

/** One round of the reference comparison: the rows of minimal, http-proxy and this-proxy, in the order they ran. */
export interface ReferenceRound {
  readonly rows: readonly Row[];
}

export function formatReferenceRounds(rounds: readonly ReferenceRound[]): string {
  const names = ["minimal", "http-proxy", "this-proxy"];
  const header = ["round", "order", ...names.flatMap((n) => [`${n} req/s`, "CPU µs/req"]), "÷ minimal", "÷ http-proxy", "p99 ÷ minimal"];
  const lines = rounds.map((round, i) => {
    const row = (name: string) => round.rows.find((r) => r.name === name);
    return [
      String(i + 1),
      round.rows.map((r) => r.name).join(", "),
      ...names.flatMap((n) => {
        const r = row(n);
        return [r?.failure === undefined ? fixed(r?.load?.reqPerS, 0) : "FAILED", fixed(r?.cpuUsPerRequest, 1)];
      }),
      ...REFERENCE_TARGETS.map((t) => fixed(referenceRatio(round.rows, t.of, t.metric), 2)),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [format(header), format(widths.map((w) => "-".repeat(w))), ...lines.map(format)].join("\n");
}

/** The medians over `rounds` of each per-round reference ratio, with the targets. */
export function referenceMedians(rounds: readonly ReferenceRound[]): Ratio[] {
  return REFERENCE_TARGETS.map((t) => ({
    label: `${t.label} (median of ${rounds.length})`,
    value: median(rounds.map((r) => referenceRatio(r.rows, t.of, t.metric))),
    target: t.target,
  }));
}
