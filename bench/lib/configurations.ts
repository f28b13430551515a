/**
 * The configurations the benchmark compares, each a way to start the front
 * process in front of two fresh backends. Every server runs on SERVER_CORE,
 * the load generator on LOAD_CORE (bench/run.ts).
 */
import { startNginx } from "./nginx";
import { hasCommand, startAnnouncingServer, tsxArgs, type AnnouncingOptions, type Server } from "./processes";

export const SERVER_CORE = 1;
export const LOAD_CORE = 0;
/** The POST body of `this-proxy-post`: 1 KiB, under the proxy's 64 KiB buffering limit. */
export const POST_BODY = Buffer.alloc(1024, "x");

export interface Configuration {
  readonly name: string;
  readonly summary: string;
  readonly path: string;
  readonly method: "GET" | "POST";
  /** Starts the front; `direct` hands back the first backend, which it does not own. */
  start(backends: readonly Server[]): Promise<Server>;
  /**
   * Checks, from what the front printed on stdout until it stopped, that it did
   * what the configuration claims; a note for the report, or why it did not.
   */
  verify?(output: string): { note: string } | { failure: string };
}

const tsxFront =
  (file: string, flags: readonly string[] = [], options: AnnouncingOptions = {}) =>
  (backends: readonly Server[]) =>
    startAnnouncingServer(SERVER_CORE, tsxArgs(file, [...flags, ...backends.map((b) => b.port)]), options);

/** The `recorded ...` line bench/proxy-server.ts --record prints when it stops: at least one sample must have been written. */
export function verifyRecording(output: string): { note: string } | { failure: string } {
  const match = /^recorded (\d+) samples, (\d+) dropped, (\d+) events$/m.exec(output);
  if (match === null) return { failure: "the front did not report what it recorded" };
  const [samples, dropped, events] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const note = `${samples} samples written, ${dropped} dropped, ${events} events`;
  return samples > 0 && dropped === 0 ? { note } : { failure: `recording did not work: ${note}` };
}

export const CONFIGURATIONS: readonly Configuration[] = [
  {
    name: "direct",
    summary: "the load generator hits one backend directly (orientation baseline)",
    path: "/",
    method: "GET",
    start: (backends) => {
      const first = backends[0];
      if (first === undefined) return Promise.reject(new Error("no backend"));
      return Promise.resolve({ pid: first.pid, port: first.port, stop: () => Promise.resolve() });
    },
  },
  {
    name: "minimal",
    summary: "node:http + undici Pool per backend, round robin, pool.stream (the reference)",
    path: "/",
    method: "GET",
    start: tsxFront("bench/minimal-forwarder.ts"),
  },
  {
    name: "http-proxy",
    summary: "node-http-proxy with a keep-alive agent, round robin",
    path: "/",
    method: "GET",
    start: tsxFront("bench/http-proxy-forwarder.ts"),
  },
  {
    name: "this-proxy",
    summary: "our engine + createProxyServer, service bench (round_robin), every feature on",
    path: "/bench/",
    method: "GET",
    start: tsxFront("bench/proxy-server.ts"),
  },
  {
    name: "this-proxy-recording",
    summary: "as this-proxy, with stats recorded as server/main.ts does (recorder + event store + maintenance, embedded database)",
    path: "/bench/",
    method: "GET",
    // PGlite's start and the final flush take seconds, more on a loaded machine.
    start: tsxFront("bench/proxy-server.ts", ["--record"], { startTimeoutMs: 90_000, stopGraceMs: 20_000 }),
    verify: verifyRecording,
  },
  {
    name: "this-proxy-post",
    summary: "as this-proxy, POST with a 1 KiB body (the buffered-body path)",
    path: "/bench/",
    method: "POST",
    start: tsxFront("bench/proxy-server.ts"),
  },
  ...(hasCommand("nginx")
    ? [
        {
          name: "nginx",
          summary: "nginx, one process, upstream keepalive 64 (for orientation)",
          path: "/",
          method: "GET",
          start: (backends: readonly Server[]) =>
            startNginx(
              SERVER_CORE,
              backends.map((b) => b.port),
            ),
        } satisfies Configuration,
      ]
    : []),
];
