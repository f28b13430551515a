/**
 * The `minimal` reference front: node:http server + one undici Pool per
 * backend, round robin, `pool.stream` piping the answer into the client
 * response. No features (no selection state, breakers, stats, request ids or
 * retries): the floor of what a Node forwarder built on undici costs, which
 * this-proxy is compared against.
 *
 * Run by bench/run.ts: `tsx bench/minimal-forwarder.ts <port> <port>`.
 */
import http from "node:http";
import { Pool } from "undici";
import { backendPorts, listenAndAnnounce } from "./lib/child-server";
import { endToEnd } from "./lib/hop-by-hop";

// The same cap and idle timeout as server/proxy's pools (maxConnectionsPerInstance 100, 4 s).
const pools = backendPorts().map(
  (port) => new Pool(`http://127.0.0.1:${port}`, { connections: 100, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000 }),
);
let next = 0;

const server = http.createServer((req, res) => {
  const pool = pools[next++ % pools.length]!;
  const hasBody = req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
  pool.stream(
    { method: req.method as "GET", path: req.url ?? "/", headers: endToEnd(req.headers), body: hasBody ? req : null },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, endToEnd(headers));
      return res;
    },
    (error) => {
      if (error === null) return;
      if (res.headersSent) res.destroy(error);
      else res.writeHead(502).end();
    },
  );
});
listenAndAnnounce(server);
