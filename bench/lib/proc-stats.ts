/**
 * Per-process cost from /proc (Linux): CPU time (utime + stime, in clock ticks
 * of `getconf CLK_TCK`) and resident memory (VmRSS). Readings of a process
 * that is gone are NaN, so a row shows "n/a" instead of failing the run.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const CLK_TCK = (() => {
  try {
    const value = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());
    return value > 0 ? value : 100;
  } catch {
    return 100;
  }
})();

/** CPU time used so far by `pid` (user + system), in µs. Resolution 1/CLK_TCK s (10 ms at 100 Hz). */
export function cpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "(comm)": state is field 3, utime 14, stime 15 (proc(5)).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1e6) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size of `pid`, in MiB. */
export function rssMiB(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match === null ? Number.NaN : Number(match[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}
