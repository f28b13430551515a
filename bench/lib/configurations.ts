/**
 * The configurations the benchmark compares, each a way to start the front
 * process in front of two fresh backends. Every server runs on SERVER_CORE,
 * the load generator on LOAD_CORE (bench/run.ts).
 */
import { startNginx } from "./nginx";
import { hasCommand, startAnnouncingServer, tsxArgs, type Server } from "./processes";

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
}

const tsxFront = (file: string) => (backends: readonly Server[]) =>
  startAnnouncingServer(
    SERVER_CORE,
    tsxArgs(
      file,
      backends.map((b) => b.port),
    ),
  );

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
