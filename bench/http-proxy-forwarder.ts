/**
 * The `http-proxy` front: node-http-proxy (the classic Node reverse proxy)
 * with a keep-alive agent, round robin across the backends, nothing else.
 *
 * Run by bench/run.ts: `tsx bench/http-proxy-forwarder.ts <port> <port>`.
 */
import http from "node:http";
import httpProxy from "http-proxy";
import { backendPorts, listenAndAnnounce } from "./lib/child-server";

const targets = backendPorts().map((port) => `http://127.0.0.1:${port}`);
const proxy = httpProxy.createProxyServer({ agent: new http.Agent({ keepAlive: true, maxSockets: 100 }) });
let next = 0;

const server = http.createServer((req, res) => {
  proxy.web(req, res, { target: targets[next++ % targets.length]! }, () => {
    if (res.headersSent) res.destroy();
    else res.writeHead(502).end();
  });
});
listenAndAnnounce(server);
