/**
 * Header rewriting in both directions (RFC 9110 §7.6.1): hop-by-hop headers
 * (Connection and every header it names, Keep-Alive, TE, Trailer,
 * Transfer-Encoding, Upgrade, Proxy-*) are not forwarded; the upstream request
 * gets X-Request-ID, X-Instance-ID and X-Forwarded-For/-Proto/-Host.
 *
 * Hot path. Works on Node's flat raw arrays (name, value, name, value, …) in
 * one pass, and recognises names by length first and then by a
 * case-insensitive compare in place: no lower-cased copy of every name, and on
 * the response side no string made of a header that is dropped.
 */
import type { IncomingHttpHeaders } from "node:http";

/** Dropped in both directions. `expect`: Node answers `100-continue` itself, and undici refuses to send it. */
const HOP_BY_HOP = ["connection", "keep-alive", "te", "trailer", "trailers", "transfer-encoding", "upgrade", "expect"];
/** Headers the proxy sets itself on the upstream request (client values dropped). */
const SET_UPSTREAM = ["host", "x-request-id", "x-instance-id", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"];
/** Headers the proxy sets itself on the client response (upstream values dropped). */
const SET_DOWNSTREAM = ["x-request-id", "x-instance-id"];

/** Lower-case names grouped by length: `table[name.length]` are the only candidates a name can equal. */
function byLength(names: readonly string[]): (readonly string[] | undefined)[] {
  const table: string[][] = [];
  for (const name of names) (table[name.length] ??= []).push(name);
  return table;
}

const DROP_UPSTREAM = byLength([...HOP_BY_HOP, ...SET_UPSTREAM]);
const DROP_DOWNSTREAM = byLength([...HOP_BY_HOP, ...SET_DOWNSTREAM]);

/** ASCII upper case → lower case; every other code unchanged. */
function lower(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/** `name`, any case, starts with `prefix` (lower case)? */
function startsLower(name: string, prefix: string): boolean {
  if (name.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (lower(name.charCodeAt(i)) !== prefix.charCodeAt(i)) return false;
  return true;
}

/** Same as startsLower for a header name still in undici's raw Buffer. */
function startsLowerBytes(name: Buffer, prefix: string): boolean {
  if (name.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (lower(name[i] ?? 0) !== prefix.charCodeAt(i)) return false;
  return true;
}

function listed(name: string, table: readonly (readonly string[] | undefined)[]): boolean {
  const candidates = table[name.length];
  if (candidates !== undefined) for (const candidate of candidates) if (startsLower(name, candidate)) return true;
  return name.length > 6 && startsLower(name, "proxy-");
}

function listedBytes(name: Buffer, table: readonly (readonly string[] | undefined)[]): boolean {
  const candidates = table[name.length];
  if (candidates !== undefined) for (const candidate of candidates) if (startsLowerBytes(name, candidate)) return true;
  return name.length > 6 && startsLowerBytes(name, "proxy-");
}

/** `bytes` hold exactly the characters of `text` (latin1)? */
function sameBytes(bytes: Buffer, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * Upstream header names already met, as strings, by byte length: an
 * upstream sends the same few names on every answer, so most names are found
 * here by a byte compare instead of being decoded again. Bounded per length,
 * so a backend that invents names cannot grow it.
 */
const knownNames: (string[] | undefined)[] = [];
const KNOWN_NAMES_PER_LENGTH = 8;
const KNOWN_NAME_MAX_LENGTH = 64;

function nameString(name: Buffer): string {
  const known = knownNames[name.length];
  if (known !== undefined) for (const text of known) if (sameBytes(name, text)) return text;
  const text = name.toString("latin1");
  if (name.length <= KNOWN_NAME_MAX_LENGTH) {
    const list = (knownNames[name.length] ??= []);
    if (list.length < KNOWN_NAMES_PER_LENGTH) list.push(text);
  }
  return text;
}

/** A Connection value that names no header (`keep-alive` or `close`, any case), still in bytes? */
function plainConnection(value: Buffer): boolean {
  return (value.length === 10 && startsLowerBytes(value, "keep-alive")) || (value.length === 5 && startsLowerBytes(value, "close"));
}

/**
 * Header names listed in a Connection header value, lower-cased, or undefined
 * when it names none (the usual `keep-alive` / `close`: no split, no Set).
 */
export function connectionTokens(value: string | readonly string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const joined = typeof value === "string" ? value : value.join(",");
  if ((joined.length === 10 && startsLower(joined, "keep-alive")) || (joined.length === 5 && startsLower(joined, "close"))) return undefined;
  let tokens: Set<string> | undefined;
  for (const part of joined.split(",")) {
    const token = part.trim().toLowerCase();
    if (token === "" || token === "close" || token === "keep-alive") continue;
    (tokens ??= new Set()).add(token);
  }
  return tokens;
}

/**
 * Position of the instance id in the array upstreamRequestHeaders returns: a
 * retry on another instance rewrites this slot and reuses the rest.
 */
export const UPSTREAM_INSTANCE_SLOT = 1;

/**
 * Flat header array for the upstream request: ours first (instance, request
 * id, forwarded-*), then the client's end-to-end headers in their order and
 * case. No Host: the client's is dropped, and undici sends the instance's
 * `host:port` (its pool's origin), which is what the instance expects.
 */
export function upstreamRequestHeaders(
  rawHeaders: readonly string[],
  headers: IncomingHttpHeaders,
  requestId: string,
  instanceId: string,
  clientAddress: string,
): string[] {
  const xff = headers["x-forwarded-for"];
  const given = Array.isArray(xff) ? xff.join(", ") : xff;
  const out: string[] = [
    "x-instance-id",
    instanceId,
    "x-request-id",
    requestId,
    "x-forwarded-for",
    given === undefined || given === "" ? clientAddress : `${given}, ${clientAddress}`,
    "x-forwarded-proto",
    "http",
  ];
  if (headers.host !== undefined) out.push("x-forwarded-host", headers.host);
  const named = connectionTokens(headers.connection);
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? "";
    if (listed(name, DROP_UPSTREAM) || (named !== undefined && named.has(name.toLowerCase()))) continue;
    out.push(name, rawHeaders[i + 1] ?? "");
  }
  return out;
}

/**
 * Response headers for the client from undici's raw header buffers (flat:
 * name, value, …): upstream's minus hop-by-hop, plus our ids, as the flat
 * array `res.writeHead` takes. Dropped headers are never turned into strings.
 */
export function clientResponseRawHeaders(raw: readonly Buffer[], requestId: string, instanceId: string): string[] {
  let named: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    if (name !== undefined && value !== undefined && name.length === 10 && startsLowerBytes(name, "connection") && !plainConnection(value)) {
      const tokens = connectionTokens(value.toString("latin1"));
      if (tokens !== undefined) for (const token of tokens) (named ??= new Set()).add(token);
    }
  }
  const out: string[] = ["x-request-id", requestId, "x-instance-id", instanceId];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name === undefined || listedBytes(name, DROP_DOWNSTREAM)) continue;
    const text = nameString(name);
    if (named !== undefined && named.has(text.toLowerCase())) continue;
    out.push(text, raw[i + 1]?.toString("latin1") ?? "");
  }
  return out;
}

/**
 * The body length an upstream response declares (Content-Length, read from
 * the raw bytes), or -1 when it declares none or one that is not a plain
 * decimal number (then the body ends when undici says so).
 */
export function responseBodyLength(raw: readonly Buffer[]): number {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name === undefined || name.length !== 14 || !startsLowerBytes(name, "content-length")) continue;
    const value = raw[i + 1];
    if (value === undefined || value.length === 0 || value.length > 15) return -1;
    let length = 0;
    for (let j = 0; j < value.length; j++) {
      const digit = (value[j] ?? 0) - 48;
      if (digit < 0 || digit > 9) return -1;
      length = length * 10 + digit;
    }
    return length;
  }
  return -1;
}
