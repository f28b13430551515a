/**
 * Header rewriting in both directions (RFC 9110 §7.6.1): hop-by-hop headers
 * (Connection and every header it names, Keep-Alive, TE, Trailer,
 * Transfer-Encoding, Upgrade, Proxy-*) are not forwarded; the upstream request
 * gets X-Request-ID, X-Instance-ID and X-Forwarded-For/-Proto/-Host.
 * Works on Node's flat rawHeaders arrays (name, value, name, value, …): one
 * pass, no intermediate objects.
 */
import type { IncomingHttpHeaders } from "node:http";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "trailers",
  "transfer-encoding",
  "upgrade",
  // Node answers `Expect: 100-continue` itself; undici refuses to send it.
  "expect",
]);

/** Headers the proxy sets itself on the upstream request. */
const REPLACED_UPSTREAM = new Set(["host", "x-request-id", "x-instance-id", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"]);

/** Header names listed in a Connection header value (lower-cased), or undefined when there are none. */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const joined = Array.isArray(value) ? value.join(",") : value;
  let tokens: Set<string> | undefined;
  for (const part of joined.split(",")) {
    const token = part.trim().toLowerCase();
    if (token === "" || token === "close" || token === "keep-alive") continue;
    (tokens ??= new Set()).add(token);
  }
  return tokens;
}

function isHopByHop(name: string, named: Set<string> | undefined): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith("proxy-") || (named !== undefined && named.has(name));
}

export interface UpstreamHeaderInput {
  readonly rawHeaders: readonly string[];
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  readonly instanceId: string;
  readonly upstreamHost: string;
  readonly clientAddress: string;
}

/** Flat header array for the upstream request. */
export function upstreamRequestHeaders(input: UpstreamHeaderInput): string[] {
  const { rawHeaders, headers } = input;
  const named = connectionTokens(headers.connection);
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? "";
    const lower = name.toLowerCase();
    if (isHopByHop(lower, named) || REPLACED_UPSTREAM.has(lower)) continue;
    out.push(name, rawHeaders[i + 1] ?? "");
  }
  const given = headers["x-forwarded-for"];
  const priorFor = Array.isArray(given) ? given.join(", ") : given;
  out.push(
    "host",
    input.upstreamHost,
    "x-request-id",
    input.requestId,
    "x-instance-id",
    input.instanceId,
    "x-forwarded-for",
    priorFor ? `${priorFor}, ${input.clientAddress}` : input.clientAddress,
    "x-forwarded-proto",
    "http",
  );
  if (headers.host !== undefined) out.push("x-forwarded-host", headers.host);
  return out;
}

/**
 * Response headers for the client from undici's raw header buffers (flat:
 * name, value, …): upstream's minus hop-by-hop, plus our ids, as the flat
 * array `res.writeHead` takes. No intermediate object.
 */
export function clientResponseRawHeaders(raw: readonly Buffer[], requestId: string, instanceId: string): string[] {
  let named: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name !== undefined && name.length === 10 && name.toString("latin1").toLowerCase() === "connection") {
      const tokens = connectionTokens(raw[i + 1]?.toString("latin1"));
      if (tokens) for (const token of tokens) (named ??= new Set()).add(token);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]?.toString("latin1") ?? "";
    const lower = name.toLowerCase();
    if (isHopByHop(lower, named) || lower === "x-request-id" || lower === "x-instance-id") continue;
    out.push(name, raw[i + 1]?.toString("latin1") ?? "");
  }
  out.push("x-request-id", requestId, "x-instance-id", instanceId);
  return out;
}

/** Response headers for the client: upstream's minus hop-by-hop, plus our ids. */
export function clientResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
  requestId: string,
  instanceId: string,
): Record<string, string | string[]> {
  const named = connectionTokens(upstream.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || isHopByHop(name, named)) continue;
    out[name] = value;
  }
  out["x-request-id"] = requestId;
  out["x-instance-id"] = instanceId;
  return out;
}
