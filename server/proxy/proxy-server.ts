/**
 * The proxy listener: `/{service}/{rest}` → `http://{instance}/{rest}`.
 *
 * Per request: parse the service from the path, read (small) or hold (large)
 * the body, ask the engine for a lease (selection, limits and breakers live
 * there), dispatch to the instance's undici Pool with a raw handler (flat raw
 * header buffers, no parsed header objects, backpressure both ways), and
 * release the lease with its outcome so breakers and stats see it. Nothing is
 * logged or written per request.
 *
 * Failures (HAProxy `retry-on conn-failure`, Envoy retry policy + budget):
 *  - connection refused / unreachable, nothing sent: retried on another
 *    instance, any method, if the body can be replayed (none or buffered);
 *  - reset after the request was sent, before any response byte: retried
 *    once, idempotent methods only, within the retry budget (RetryBudget);
 *    a POST is never sent twice;
 *  - otherwise 502 (connection failure), 504 (no response headers within the
 *    service's requestTimeoutMs), 503 + Retry-After (no instance), 404 (unknown
 *    service), 413 (body over the limit, before any upstream is contacted when
 *    the length is declared), all JSON (errors.ts). An upstream's own answers,
 *    5xx included, pass untouched.
 *  - a client that goes away aborts the upstream request; recorded as
 *    `client_abort`, which no breaker counts.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import { originOf, type Clock, type Engine, type Lease, type Outcome, type ServiceView } from "../engine";
import { sendProxyError } from "./errors";
import { UPSTREAM_INSTANCE_SLOT, clientResponseRawHeaders, responseBodyLength, upstreamRequestHeaders } from "./headers";
import { NO_BODY, hasBody, readRequestBody, type RequestBody } from "./request-body";
import { createRequestIds } from "./request-id";
import { RetryBudget } from "./retry-budget";
import { UpstreamPools } from "./upstream-pools";

export interface ProxyOptions {
  readonly engine: Engine;
  /** The engine's clock (milliseconds), so lease start and end use one time base. */
  readonly clock: Clock;
  /** Time a client has to send its request headers (default 10 s). */
  readonly clientHeaderTimeoutMs?: number;
  /** Largest request body accepted (default 10 MiB). */
  readonly maxBodyBytes?: number;
  /** Bodies up to this size are read whole before dispatch (default 64 KiB). */
  readonly bufferBodyBytes?: number;
  /** Retry-After seconds on 503 (default 1). */
  readonly retryAfterS?: number;
  readonly retryBudget?: RetryBudget;
}

export interface ProxyServer {
  readonly server: http.Server;
  /** Origins ("host:port") with an open upstream pool. */
  upstreamOrigins(): string[];
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Requests being handled right now. */
  inFlight(): number;
  /**
   * Stops accepting, lets in-flight requests finish for up to `timeoutMs`,
   * then cuts what is left. Resolves with the number of requests cut.
   */
  drain(timeoutMs: number): Promise<number>;
}

const REQUEST_ID_PATTERN = /^[\x21-\x7e]{1,200}$/;
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
/** Errors where the connection was never established: nothing reached the instance. */
const NOT_CONNECTED = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND", "UND_ERR_CONNECT_TIMEOUT"]);
const TIMEOUTS = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
const MAX_ATTEMPTS = 2;

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

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

class BodyTooLarge extends Error {
  readonly code = "ALICIA_BODY_TOO_LARGE";
}

/** A streamed body: the bytes read while classifying, then the rest, cut past the limit. */
function streamedBody(req: IncomingMessage, head: Buffer[], maxBodyBytes: number): Readable {
  let size = 0;
  for (const chunk of head) size += chunk.length;
  async function* chunks(): AsyncGenerator<Buffer> {
    yield* head;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBodyBytes) throw new BodyTooLarge(`request body over ${maxBodyBytes} bytes`);
      yield chunk;
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/**
 * The exchanges in flight on a client connection, as an intrusive list
 * (Exchange.prevOnSocket / nextOnSocket), so one `close` listener per
 * connection, not one per request, sees clients that go away.
 */
const EXCHANGES = Symbol("alicia.exchanges");
type ClientSocket = Socket & { [EXCHANGES]?: Exchange | undefined };

function onClientSocketClose(this: ClientSocket): void {
  let exchange = this[EXCHANGES];
  this[EXCHANGES] = undefined;
  while (exchange !== undefined) {
    const next = exchange.nextOnSocket;
    exchange.prevOnSocket = undefined;
    exchange.nextOnSocket = undefined;
    exchange.clientClosed();
    exchange = next;
  }
}

/** The exchange waiting for a slow client to drain (set only then). */
const DRAINING_EXCHANGE = Symbol("alicia.drainingExchange");
type DrainableResponse = ServerResponse & { [DRAINING_EXCHANGE]?: Exchange | undefined };

function onResponseDrain(this: DrainableResponse): void {
  this[DRAINING_EXCHANGE]?.resumeUpstream?.();
}

/**
 * One proxied request. Implements undici's raw dispatch handler (onConnect,
 * onHeaders, onData, onComplete, onError: raw Buffer headers, no parsing) for
 * each attempt.
 */
class Exchange implements Dispatcher.DispatchHandler {
  lease!: Lease;
  /** The upstream request's headers, built for the first attempt; a retry rewrites the instance id's slot. */
  upstreamHeaders: string[] | undefined;
  prevOnSocket: Exchange | undefined;
  nextOnSocket: Exchange | undefined;
  attempt = 0;
  responded = false;
  settled = false;
  isRetry = false;
  abortUpstream: ((error?: Error) => void) | undefined;
  resumeUpstream: (() => void) | undefined;
  waitingForDrain = false;
  outcome: Outcome = "success";
  /** Bytes of the declared response body still to come (-1: length not declared). */
  bodyLeft = -1;
  /** The client response was ended with the body's last chunk. */
  ended = false;

  constructor(
    readonly proxy: Proxy,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly service: ServiceView,
    readonly path: string,
    readonly requestId: string,
    readonly body: RequestBody,
    readonly timeoutMs: number,
  ) {}

  start(lease: Lease): void {
    this.lease = lease;
    this.settled = false;
    this.abortUpstream = undefined;
    const { req } = this;
    const body = this.body;
    let headers = this.upstreamHeaders;
    if (headers === undefined) {
      headers = upstreamRequestHeaders(req.rawHeaders, req.headers, this.requestId, lease.instanceId, req.socket.remoteAddress ?? "");
      this.upstreamHeaders = headers;
    } else {
      headers[UPSTREAM_INSTANCE_SLOT] = lease.instanceId;
    }
    const pool = this.proxy.pools.get(lease.origin, this.service.config.maxConnectionsPerInstance);
    pool.dispatch(
      {
        method: req.method as Dispatcher.HttpMethod,
        path: this.path,
        headers,
        body: body.kind === "buffer" ? body.data : body.kind === "stream" ? streamedBody(req, body.head, this.proxy.maxBodyBytes) : null,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      },
      this,
    );
  }

  /** Records the attempt's outcome on its lease, once. */
  settle(outcome: Outcome): void {
    if (this.settled) return;
    this.settled = true;
    const { engine, clock } = this.proxy;
    engine.release(this.lease, outcome, Math.round((clock.now() - this.lease.startedAt) * 1000));
  }

  /** The whole exchange is over (answered, failed or abandoned). */
  finish(): void {
    if (this.isRetry) {
      this.isRetry = false;
      this.proxy.retryBudget.retryFinished();
    }
    this.unlinkFromSocket();
    if (this.waitingForDrain) {
      const res = this.res as DrainableResponse;
      res.off("drain", onResponseDrain);
      res[DRAINING_EXCHANGE] = undefined;
    }
    this.proxy.finished();
  }

  linkToSocket(): void {
    const socket = this.req.socket as ClientSocket;
    const head = socket[EXCHANGES];
    this.nextOnSocket = head;
    if (head !== undefined) head.prevOnSocket = this;
    socket[EXCHANGES] = this;
  }

  unlinkFromSocket(): void {
    const { prevOnSocket: prev, nextOnSocket: next } = this;
    const socket = this.req.socket as ClientSocket;
    if (prev !== undefined) prev.nextOnSocket = next;
    else if (socket[EXCHANGES] === this) socket[EXCHANGES] = next;
    if (next !== undefined) next.prevOnSocket = prev;
    this.prevOnSocket = undefined;
    this.nextOnSocket = undefined;
  }

  /** The client's connection closed. */
  clientClosed(): void {
    if (this.res.writableFinished || this.settled) return;
    // The client went away before the answer was complete.
    this.settle("client_abort");
    this.abortUpstream?.(new Error("client closed the connection"));
    this.finish();
  }

  // --- undici raw handler ---

  onConnect(abort: (error?: Error) => void): void {
    if (this.settled) {
      abort(new Error("client closed the connection"));
      return;
    }
    this.abortUpstream = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (this.settled) return false;
    if (statusCode < 200) return true; // 1xx informational: not forwarded
    this.responded = true;
    this.resumeUpstream = resume;
    this.outcome = statusCode >= 500 ? "http_5xx" : statusCode >= 400 ? "http_4xx" : "success";
    const { res } = this;
    if (this.proxy.draining) res.shouldKeepAlive = false;
    // A body of declared length ends with the chunk that completes it: `res.end(chunk)`, one write.
    this.bodyLeft = statusCode === 204 || statusCode === 304 || this.req.method === "HEAD" ? -1 : responseBodyLength(rawHeaders);
    res.writeHead(statusCode, clientResponseRawHeaders(rawHeaders, this.requestId, this.lease.instanceId));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled || this.ended) return false;
    if (this.bodyLeft > 0) {
      this.bodyLeft -= chunk.length;
      if (this.bodyLeft === 0) {
        this.ended = true;
        this.res.end(chunk);
        return true;
      }
    }
    if (this.res.write(chunk)) return true;
    // The client is slower than the instance: pause the upstream until the client drains.
    if (!this.waitingForDrain) {
      this.waitingForDrain = true;
      const res = this.res as DrainableResponse;
      res[DRAINING_EXCHANGE] = this;
      res.on("drain", onResponseDrain);
    }
    return false;
  }

  onComplete(): void {
    if (this.settled) return;
    this.settle(this.outcome);
    if (!this.ended) this.res.end();
    this.finish();
  }

  onError(error: Error): void {
    if (this.settled) return; // client abort: already recorded and finished
    const code = errorCode(error);
    const timedOut = TIMEOUTS.has(code);
    const notConnected = NOT_CONNECTED.has(code);
    if (code === "ALICIA_BODY_TOO_LARGE" || (error.cause !== undefined && errorCode(error.cause) === "ALICIA_BODY_TOO_LARGE")) {
      // The client's fault, not the instance's.
      this.settle("client_abort");
      this.fail("payload_too_large", `request body over ${this.proxy.maxBodyBytes} bytes`);
      return;
    }
    this.settle(timedOut ? "timeout" : "connect_error");
    if (this.responded) {
      // Part of the answer is already on its way: the only honest signal left is to cut it.
      this.res.destroy(error);
      this.finish();
      return;
    }
    if (!timedOut && this.mayRetry(notConnected)) {
      const next = this.proxy.engine.acquire(this.service, this.proxy.hashKey(this.service, this.req), this.lease.instanceId);
      if (next !== undefined) {
        this.attempt++;
        this.start(next);
        return;
      }
      this.proxy.retryBudget.retryFinished();
      this.isRetry = false;
    }
    if (timedOut) this.fail("gateway_timeout", `instance did not answer within ${this.timeoutMs} ms`);
    else this.fail("bad_gateway", "could not reach the instance");
  }

  mayRetry(notConnected: boolean): boolean {
    if (this.attempt + 1 >= MAX_ATTEMPTS || this.res.headersSent) return false;
    if (this.body.kind === "stream") return false; // not replayable
    if (!notConnected && !IDEMPOTENT.has(this.req.method ?? "")) return false; // may have reached the instance
    if (this.isRetry) return false;
    if (!this.proxy.retryBudget.tryRetry()) return false;
    this.isRetry = true;
    return true;
  }

  fail(code: "gateway_timeout" | "bad_gateway" | "payload_too_large", message: string): void {
    if (code === "payload_too_large") {
      this.res.shouldKeepAlive = false; // the rest of the body is not read
    } else {
      this.proxy.engine.reportRoutingError(this.service.name, {
        kind: code,
        status: code === "bad_gateway" ? 502 : 504,
        instanceId: this.lease.instanceId,
        requestId: this.requestId,
        detail: message,
      });
    }
    sendProxyError(this.res, code, { requestId: this.requestId, service: this.service.name, instanceId: this.lease.instanceId, message });
    this.finish();
  }
}

class Proxy {
  readonly pools = new UpstreamPools();
  readonly engine: Engine;
  readonly clock: Clock;
  readonly retryBudget: RetryBudget;
  readonly maxBodyBytes: number;
  readonly bufferBodyBytes: number;
  readonly retryAfterS: number;
  readonly requestIds = createRequestIds();
  draining = false;
  active = 0;
  onIdle: (() => void) | undefined;

  constructor(readonly options: ProxyOptions) {
    this.engine = options.engine;
    this.clock = options.clock;
    this.retryBudget = options.retryBudget ?? new RetryBudget();
    this.maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
    this.bufferBodyBytes = options.bufferBodyBytes ?? 64 * 1024;
    this.retryAfterS = options.retryAfterS ?? 1;
    if (!(this.maxBodyBytes >= 0)) throw new RangeError(`maxBodyBytes must be >= 0, got ${this.maxBodyBytes}`);
  }

  finished(): void {
    this.active--;
    this.retryBudget.requestFinished();
    if (this.active === 0) this.onIdle?.();
  }

  hashKey(service: ServiceView, req: IncomingMessage): string | undefined {
    if (service.config.algorithm !== "consistent_hash") return undefined;
    const header = service.config.hashHeader;
    const value = header === undefined ? undefined : req.headers[header.toLowerCase()];
    if (typeof value === "string" && value !== "") return value;
    return req.socket.remoteAddress ?? "";
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const given = req.headers["x-request-id"];
    const requestId = typeof given === "string" && REQUEST_ID_PATTERN.test(given) ? given : this.requestIds();
    if (this.draining) res.shouldKeepAlive = false;
    const target = splitTarget(req.url ?? "/");
    const service = target === undefined ? undefined : this.engine.getService(target.service);
    if (target === undefined || service === undefined) {
      req.resume();
      sendProxyError(res, "unknown_service", {
        requestId,
        message:
          target === undefined ? "no service in the request path; use /{service}/{path}" : `no service named ${JSON.stringify(target.service)}`,
        ...(target === undefined ? {} : { service: target.service }),
      });
      return;
    }
    this.active++;
    this.retryBudget.requestStarted();
    if (!hasBody(req)) {
      this.dispatch(req, res, service, target.path, requestId, NO_BODY);
      return;
    }
    readRequestBody(req, this.bufferBodyBytes, this.maxBodyBytes, (body) => {
      this.dispatch(req, res, service, target.path, requestId, body);
    });
  };

  dispatch(req: IncomingMessage, res: ServerResponse, service: ServiceView, path: string, requestId: string, body: RequestBody): void {
    if (body.kind === "aborted" || req.socket.destroyed) {
      this.finished();
      return;
    }
    if (body.kind === "too_large") {
      res.shouldKeepAlive = false; // the rest of the body is not read
      sendProxyError(res, "payload_too_large", {
        requestId,
        service: service.name,
        message: `request body over ${this.maxBodyBytes} bytes`,
      });
      this.finished();
      return;
    }
    const lease = this.engine.acquire(service, this.hashKey(service, req));
    if (lease === undefined) {
      if (body.kind === "stream") res.shouldKeepAlive = false;
      else req.resume();
      const message = `no available instance of ${service.name}`;
      sendProxyError(res, "no_available_instance", { requestId, service: service.name, retryAfterS: this.retryAfterS, message });
      this.engine.reportRoutingError(service.name, { kind: "no_available_instance", status: 503, requestId, detail: message });
      this.finished();
      return;
    }
    const timeoutMs = service.config.requestTimeoutMs;
    const exchange = new Exchange(this, req, res, service, path, requestId, body, timeoutMs);
    exchange.linkToSocket();
    exchange.start(lease);
  }
}

/** The answer to a request Node's parser refused before it reached the handler. */
function clientErrorStatus(code: string | undefined): string {
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return "408 Request Timeout";
  if (code === "HPE_HEADER_OVERFLOW") return "431 Request Header Fields Too Large";
  return "400 Bad Request";
}

/**
 * Keeps track of which instances use which origin, and closes an origin's
 * pool once no instance uses it (instance removed or moved). Driven by engine
 * events: the proxy never scans the registry.
 */
function trackOrigins(engine: Engine, pools: UpstreamPools): () => void {
  const originByInstance = new Map<string, string>(); // "service/instance" → "host:port"
  const users = new Map<string, number>(); // origin → instances using it
  const keyOf = (service: string, instance: string) => `${service}\u0000${instance}`;
  const unuse = (key: string) => {
    const origin = originByInstance.get(key);
    if (origin === undefined) return;
    originByInstance.delete(key);
    const left = (users.get(origin) ?? 1) - 1;
    if (left > 0) {
      users.set(origin, left);
    } else {
      users.delete(origin);
      pools.release(origin);
    }
  };
  const use = (key: string, origin: string) => {
    if (originByInstance.get(key) === origin) return;
    unuse(key);
    originByInstance.set(key, origin);
    users.set(origin, (users.get(origin) ?? 0) + 1);
  };
  for (const service of engine.listServices()) {
    for (const instance of service.instances) use(keyOf(service.name, instance.id), originOf(instance.host, instance.port));
  }
  const disposers = [
    engine.on("instance_registered", (e) => {
      use(keyOf(e.service, e.instanceId), originOf(e.host, e.port));
    }),
    engine.on("instance_updated", (e) => {
      if (!e.changes.some((c) => c.field === "host" || c.field === "port")) return;
      const instance = engine.getServiceSnapshot(e.service)?.instances.find((i) => i.id === e.instanceId);
      if (instance) use(keyOf(e.service, e.instanceId), originOf(instance.host, instance.port));
    }),
    engine.on("instance_unregistered", (e) => {
      unuse(keyOf(e.service, e.instanceId));
    }),
    engine.on("service_unregistered", (e) => {
      const prefix = keyOf(e.service, "");
      for (const key of [...originByInstance.keys()]) if (key.startsWith(prefix)) unuse(key);
    }),
  ];
  return () => {
    for (const dispose of disposers) dispose();
  };
}

export function createProxyServer(options: ProxyOptions): ProxyServer {
  const proxy = new Proxy(options);
  const stopTracking = trackOrigins(options.engine, proxy.pools);
  const headersTimeout = options.clientHeaderTimeoutMs ?? 10_000;
  const server = http.createServer(
    {
      headersTimeout,
      requestTimeout: 0,
      keepAliveTimeout: 5_000,
      // Node checks the header timeout every 30 s by default: a slow client would hold its
      // connection for up to 30 s + the timeout. Check at least every second.
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, headersTimeout)),
    },
    proxy.handle,
  );
  server.on("connection", (socket: Socket) => socket.on("close", onClientSocketClose));
  server.on("clientError", (error: Error & { code?: string }, socket: Socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(`HTTP/1.1 ${clientErrorStatus(error.code)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
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
    inFlight: () => proxy.active,
    upstreamOrigins: () => proxy.pools.origins(),
    async drain(timeoutMs) {
      proxy.draining = true;
      stopTracking();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (proxy.active > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          proxy.onIdle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      const cut = proxy.active;
      server.closeAllConnections();
      await closed;
      await proxy.pools.closeAll();
      return cut;
    },
  };
}
