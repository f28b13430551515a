/**
 * The proxy listener: `/{service}/{rest}` → `http://{instance}/{rest}`.
 *
 * Per request: parse the service from the path, ask the engine for a lease
 * (selection, limits and breakers live there), stream the request to the
 * instance through its undici Pool, stream the answer back, and release the
 * lease with its outcome so the engine's breakers and stats see it. Nothing is
 * logged or written per request: failures become engine state and events.
 *
 * Failures: a connection refused before anything was sent is retried once on
 * another instance; otherwise 502 (connection failure), 504 (no response
 * headers within the service's timeout), 503 with Retry-After (no instance),
 * 404 (unknown service), all JSON. A client that goes away aborts the upstream
 * request and is recorded as `client_abort`, which no breaker counts.
 */
import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream";
import type { Dispatcher } from "undici";
import type { Clock, Engine, Lease, Outcome, ServiceView } from "../engine";
import { sendProxyError } from "./errors";
import { clientResponseHeaders, upstreamRequestHeaders } from "./headers";
import { UpstreamPools } from "./upstream-pools";

export interface ProxyOptions {
  readonly engine: Engine;
  /** The engine's clock (milliseconds), so lease start and end use one time base. */
  readonly clock: Clock;
  /** Upstream response-headers timeout when a service sets none (seed default 30 s). */
  readonly defaultRequestTimeoutMs?: number;
  /** Time a client has to send its request headers (default 10 s). */
  readonly clientHeaderTimeoutMs?: number;
  /** Retry-After seconds on 503 (default 1). */
  readonly retryAfterS?: number;
  /** Per-service upstream timeout lookup; falls back to defaultRequestTimeoutMs. */
  readonly requestTimeoutMs?: (service: ServiceView) => number | undefined;
}

export interface ProxyServer {
  readonly server: http.Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Requests being forwarded right now. */
  inFlight(): number;
  /**
   * Stops accepting, lets in-flight requests finish for up to `timeoutMs`,
   * then cuts what is left. Resolves with the number of requests cut.
   */
  drain(timeoutMs: number): Promise<number>;
}

const REQUEST_ID_PATTERN = /^[\x21-\x7e]{1,200}$/;

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}

/** Splits `/{service}/{rest}?q` into the service name and the upstream path `/{rest}?q`. */
export function splitTarget(url: string): { service: string; path: string } | undefined {
  if (url.charCodeAt(0) !== 47 /* / */) return undefined;
  let end = 1;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */) break;
    end++;
  }
  if (end === 1) return undefined;
  const service = url.slice(1, end);
  const rest = url.slice(end);
  return { service, path: rest === "" ? "/" : rest.charCodeAt(0) === 63 ? `/${rest}` : rest };
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

type UpstreamFailure = { outcome: Outcome; retryable: boolean };

const CONNECT_REFUSED = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]);

function classify(error: unknown): UpstreamFailure {
  const code = (error as { code?: unknown }).code;
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") return { outcome: "timeout", retryable: false };
  if (typeof code === "string" && CONNECT_REFUSED.has(code)) return { outcome: "connect_error", retryable: true };
  if (code === "UND_ERR_CONNECT_TIMEOUT") return { outcome: "connect_error", retryable: true };
  return { outcome: "connect_error", retryable: false };
}

export function createProxyServer(options: ProxyOptions): ProxyServer {
  const { engine } = options;
  const pools = new UpstreamPools();
  const defaultTimeoutMs = options.defaultRequestTimeoutMs ?? 30_000;
  const retryAfterS = options.retryAfterS ?? 1;
  let inFlight = 0;
  let draining = false;
  let onIdle: (() => void) | undefined;

  function finished(): void {
    inFlight--;
    if (inFlight === 0 && onIdle) onIdle();
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    service: ServiceView,
    path: string,
    requestId: string,
    lease: Lease,
    attempt: number,
  ): void {
    const abort = new AbortController();
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      req.off("close", onClientClose);
      engine.release(lease, outcome, Math.round((options.clock.now() - lease.startedAt) * 1000));
      finished();
    };
    const onClientClose = () => {
      if (!res.writableFinished) {
        abort.abort();
        settle("client_abort");
      }
    };
    req.once("close", onClientClose);

    const timeoutMs = options.requestTimeoutMs?.(service) ?? defaultTimeoutMs;
    const withBody = hasBody(req);
    const pool = pools.get(lease.host, lease.port);
    const requestOptions: Dispatcher.RequestOptions = {
      method: req.method as Dispatcher.HttpMethod,
      path,
      headers: upstreamRequestHeaders({
        rawHeaders: req.rawHeaders,
        headers: req.headers,
        requestId,
        instanceId: lease.instanceId,
        upstreamHost: `${lease.host}:${lease.port}`,
        clientAddress: req.socket.remoteAddress ?? "",
      }),
      body: withBody ? req : null,
      signal: abort.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    };
    pool.request(requestOptions).then(
      (upstream) => {
        if (settled) {
          upstream.body.destroy();
          return;
        }
        const outcome: Outcome =
          upstream.statusCode >= 500 ? "http_5xx" : upstream.statusCode >= 400 ? "http_4xx" : "success";
        if (draining) res.shouldKeepAlive = false;
        res.writeHead(upstream.statusCode, clientResponseHeaders(upstream.headers, requestId, lease.instanceId));
        pipeline(upstream.body, res, (error) => {
          if (error) {
            if (settled) return; // the client went away: already recorded
            settle(classify(error).outcome);
            res.destroy();
          } else {
            settle(outcome);
          }
        });
      },
      (error: unknown) => {
        if (settled) return;
        const failure = classify(error);
        settle(failure.outcome);
        if (failure.retryable && attempt === 0 && !withBody && !res.headersSent) {
          const next = engine.acquire(service, undefined, lease.instanceId);
          if (next !== undefined) {
            inFlight++;
            forward(req, res, service, path, requestId, next, 1);
            return;
          }
        }
        const details = { requestId, service: service.name, instanceId: lease.instanceId };
        if (failure.outcome === "timeout") {
          sendProxyError(res, "gateway_timeout", { ...details, message: `instance did not answer within ${timeoutMs} ms` });
        } else {
          sendProxyError(res, "bad_gateway", { ...details, message: "could not reach the instance" });
        }
      },
    );
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const requestId = requestIdOf(req);
    if (draining) res.shouldKeepAlive = false;
    const target = splitTarget(req.url ?? "/");
    const service = target === undefined ? undefined : engine.getService(target.service);
    if (target === undefined || service === undefined) {
      req.resume();
      sendProxyError(res, "unknown_service", {
        requestId,
        message: target === undefined ? "no service in the request path; use /{service}/{path}" : `no service named ${JSON.stringify(target.service)}`,
        ...(target === undefined ? {} : { service: target.service }),
      });
      return;
    }
    const lease = engine.acquire(service);
    if (lease === undefined) {
      req.resume();
      sendProxyError(res, "no_available_instance", {
        requestId,
        service: service.name,
        retryAfterS,
        message: `no available instance of ${service.name}`,
      });
      return;
    }
    inFlight++;
    forward(req, res, service, target.path, requestId, lease, 0);
  }

  const server = http.createServer(
    {
      headersTimeout: options.clientHeaderTimeoutMs ?? 10_000,
      requestTimeout: 0,
      keepAliveTimeout: 5_000,
    },
    handle,
  );
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
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
    inFlight: () => inFlight,
    async drain(timeoutMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          onIdle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      const cut = inFlight;
      server.closeAllConnections();
      await closed;
      await pools.closeAll();
      return cut;
    },
  };
}
