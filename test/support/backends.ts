/**
 * Real loopback backends for proxy tests: each records what it received
 * (method, path, headers, body, request id) and answers per a behaviour.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly bodySha256: string;
  readonly bodyBytes: number;
}

export type Behaviour = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface Backend {
  readonly id: string;
  readonly port: number;
  readonly received: Received[];
  /** Requests whose connection closed before the backend answered. */
  readonly aborted: string[];
  behaviour: Behaviour;
  close(): Promise<void>;
}

export const answerJson =
  (status = 200, extraHeaders: Record<string, string> = {}): Behaviour =>
  (req, res) => {
    const body = JSON.stringify({ url: req.url, requestId: req.headers["x-request-id"], instanceId: req.headers["x-instance-id"] });
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...extraHeaders });
    res.end(body);
  };

export async function startBackend(id: string, behaviour: Behaviour = answerJson()): Promise<Backend> {
  const received: Received[] = [];
  const aborted: string[] = [];
  const sockets = new Set<Socket>();
  const backend: Backend = {
    id,
    port: 0,
    received,
    aborted,
    behaviour,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        bodySha256: createHash("sha256").update(body).digest("hex"),
        bodyBytes: body.length,
      });
      res.once("close", () => {
        if (!res.writableFinished) aborted.push(String(req.headers["x-request-id"]));
      });
      backend.behaviour(req, res, body);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  (backend as { port: number }).port = (server.address() as AddressInfo).port;
  return backend;
}

/** A backend in its own process, so a test can SIGKILL it. Answers 200 with its id. */
export interface ProcessBackend {
  readonly port: number;
  readonly child: ChildProcess;
  kill(): Promise<void>;
}

const BACKEND_SOURCE = `
const http = require("node:http");
const [id, port] = process.argv.slice(1);
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(200, { "content-type": "text/plain" }); res.end(id); });
});
server.listen(Number(port), "127.0.0.1", () => process.stdout.write("listening " + server.address().port + "\\n"));
`;

export async function startProcessBackend(id: string, port = 0): Promise<ProcessBackend> {
  const child = spawn(process.execPath, ["-e", BACKEND_SOURCE, id, String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  const listening = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`backend ${id} did not start`)), 10_000);
    child.stdout.on("data", (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("exit", (code) => reject(new Error(`backend ${id} exited with ${code}`)));
  });
  return {
    port: listening,
    child,
    kill: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}
