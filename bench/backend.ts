/**
 * Benchmark backend: node:http, keep-alive, answers every request (after
 * reading its body) with 200 and the same ~100-byte body. Deliberately does
 * nothing else, so the front process is what the benchmark compares.
 *
 * Run by bench/run.ts: `tsx bench/backend.ts` (announces `listening <port>`).
 */
import http from "node:http";
import { listenAndAnnounce } from "./lib/child-server";

const BODY = Buffer.from(`${JSON.stringify({ ok: true, from: "alicia-bench-backend", pad: "x".repeat(48) })}\n`);
const HEADERS = { "content-type": "application/json", "content-length": String(BODY.length) };

const server = http.createServer((req, res) => {
  req.on("end", () => {
    res.writeHead(200, HEADERS);
    res.end(BODY);
  });
  req.resume();
});
// Longer than any front's upstream idle timeout: the front, not the backend, closes idle connections.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
listenAndAnnounce(server);
