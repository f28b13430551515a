/**
 * wrk as the load generator: `wrk -t1 -c<n> -d<s>s --latency <url>` pinned to
 * its core, POST bodies through a small Lua script written to a temp dir, and
 * the text report parsed (Requests/sec, the 50%/99% latency distribution,
 * "Socket errors" and "Non-2xx or 3xx responses").
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LoadGenerator, LoadResult, LoadSpec } from "./load";
import { makeTempDir, removeTempDir, runToEnd } from "./processes";

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1_000, m: 60_000 };

function latencyMs(text: string, percentile: string): number {
  const match = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(text);
  return match === null ? Number.NaN : Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? Number.NaN);
}

/** Parses wrk 4's report (with --latency). Throws when it is not one. */
export function parseWrk(text: string): LoadResult {
  const requests = /^\s*(\d+) requests in /m.exec(text);
  const rate = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  if (requests === null || rate === null) throw new Error(`not a wrk report:\n${text}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    requests: Number(requests[1]),
    reqPerS: Number(rate[1]),
    p50Ms: latencyMs(text, "50"),
    p99Ms: latencyMs(text, "99"),
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
    socketErrors,
  };
}

export function wrkGenerator(): LoadGenerator {
  const dir = makeTempDir("alicia-bench-wrk-");
  const scripts = new Map<string, string>();
  const script = (body: Buffer): string => {
    const key = body.toString("base64");
    let file = scripts.get(key);
    if (file === undefined) {
      file = join(dir, `post-${scripts.size}.lua`);
      // wrk adds Content-Length for a body; the bytes are printable ASCII, so a Lua long string holds them.
      writeFileSync(
        file,
        `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/octet-stream"\nwrk.body = [==[${body.toString("latin1")}]==]\n`,
      );
      scripts.set(key, file);
    }
    return file;
  };
  return {
    name: "wrk",
    async run(spec: LoadSpec): Promise<LoadResult> {
      const args = ["-t1", `-c${spec.connections}`, `-d${spec.durationS}s`, "--latency"];
      if (spec.method === "POST") args.push("-s", script(spec.body ?? Buffer.alloc(0)));
      args.push(spec.url);
      const { code, stdout } = await runToEnd(spec.core, ["wrk", args], (spec.durationS + 10) * 1_000);
      if (code !== 0) throw new Error(`wrk exited with ${code}:\n${stdout}`);
      return parseWrk(stdout);
    },
    dispose() {
      removeTempDir(dir);
    },
  };
}
