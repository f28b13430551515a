/**
 * The dashboard port: liveness, readiness and metrics answered here directly
 * (they must work even when Next is busy or not ready), everything else handed
 * to Next's request handler (pages and /api/trpc).
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { AuthService } from "../auth";
import type { Readiness } from "../runtime";
import { gatePage } from "./page-gate";

export type NextHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface AdminServer {
  readonly server: http.Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Installs Next's handler once it is prepared; until then pages answer 503. */
  setNextHandler(handler: NextHandler): void;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

export function createAdminServer(options: { readiness: Readiness; metrics: Registry; auth: () => AuthService | undefined }): AdminServer {
  let nextHandler: NextHandler | undefined;

  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0];
    if (req.method === "GET" || req.method === "HEAD") {
      if (path === "/healthz") {
        sendJson(res, 200, { status: "ok" });
        return;
      }
      if (path === "/readyz") {
        const reason = options.readiness.reason();
        if (reason === undefined) sendJson(res, 200, { status: "ready" });
        else sendJson(res, 503, { status: "not_ready", error: "not_ready", reason });
        return;
      }
      if (path === "/metrics") {
        const registry = options.metrics;
        registry.metrics().then(
          (text) => {
            res.writeHead(200, { "content-type": registry.contentType });
            res.end(text);
          },
          (error: unknown) => {
            sendJson(res, 500, { error: "metrics_failed", message: error instanceof Error ? error.message : String(error) });
          },
        );
        return;
      }
    }
    const handler = nextHandler;
    if (handler === undefined) {
      sendJson(res, 503, { error: "not_ready", reason: "the dashboard is starting" });
      return;
    }
    // The client's address as this server saw it, for audit rows and sign-in throttling (never the client's say-so).
    req.headers["x-alicia-client-address"] = req.socket.remoteAddress ?? "";
    gatePage(req, res, options.auth())
      .then(() => handler(req, res))
      .catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: "internal_error", message: "the dashboard failed to answer" });
      else res.destroy(error instanceof Error ? error : undefined);
    });
  });

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    setNextHandler(handler) {
      nextHandler = handler;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Dashboard connections (live queries) do not hold up a shutdown.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
    },
  };
}
