/**
 * autocannon as the load generator, for machines without wrk: its CLI in a
 * separate process pinned to the generator's core (`-j` JSON report, parsed
 * with zod). Slower than wrk (a Node process), so its numbers are lower bounds.
 */
import { join } from "node:path";
import { z } from "zod";
import type { LoadGenerator, LoadResult, LoadSpec } from "./load";
import { REPO_ROOT, runToEnd } from "./processes";

const Report = z.object({
  requests: z.object({ average: z.number(), total: z.number() }),
  latency: z.object({ p50: z.number(), p99: z.number() }),
  non2xx: z.number(),
  errors: z.number(),
  timeouts: z.number(),
});

export function autocannonGenerator(): LoadGenerator {
  const bin = join(REPO_ROOT, "node_modules", ".bin", "autocannon");
  return {
    name: "autocannon",
    async run(spec: LoadSpec): Promise<LoadResult> {
      const args = ["-c", String(spec.connections), "-d", String(spec.durationS), "-j", "-n"];
      if (spec.method === "POST") {
        args.push("-m", "POST", "-H", "content-type=application/octet-stream", "-b", (spec.body ?? Buffer.alloc(0)).toString("latin1"));
      }
      args.push(spec.url);
      const { code, stdout } = await runToEnd(spec.core, [bin, args], (spec.durationS + 15) * 1_000);
      if (code !== 0) throw new Error(`autocannon exited with ${code}`);
      const report = Report.parse(JSON.parse(stdout));
      return {
        requests: report.requests.total,
        reqPerS: report.requests.average,
        p50Ms: report.latency.p50,
        p99Ms: report.latency.p99,
        non2xx: report.non2xx,
        socketErrors: report.errors + report.timeouts,
      };
    },
    dispose() {
      // nothing on disk
    },
  };
}
