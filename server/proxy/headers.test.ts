import { describe, expect, it } from "vitest";
import {
  UPSTREAM_INSTANCE_SLOT,
  clientResponseRawHeaders,
  connectionTokens,
  responseBodyLength,
  upstreamRequestHeaders,
} from "./headers";
import { splitTarget } from "./proxy-server";

describe("splitTarget", () => {
  it.each([
    ["/orders/api/v1?x=1", { service: "orders", path: "/api/v1?x=1" }],
    ["/orders", { service: "orders", path: "/" }],
    ["/orders/", { service: "orders", path: "/" }],
    ["/orders?x=1", { service: "orders", path: "/?x=1" }],
    ["/", undefined],
    ["//x", undefined],
    ["*", undefined],
  ])("%s", (url, expected) => {
    expect(splitTarget(url)).toEqual(expected);
  });
});

describe("connectionTokens", () => {
  it.each<[string | string[] | undefined, string[] | undefined]>([
    [undefined, undefined],
    ["keep-alive", undefined],
    ["Keep-Alive", undefined],
    ["close", undefined],
    ["CLOSE", undefined],
    ["keep-alive, X-Secret-Hop", ["x-secret-hop"]],
    ["Upgrade, close,  x-a ,, X-B", ["upgrade", "x-a", "x-b"]],
    [["x-a", "keep-alive, x-b"], ["x-a", "x-b"]],
  ])("%j → %j", (value, expected) => {
    const tokens = connectionTokens(value);
    expect(tokens === undefined ? undefined : [...tokens]).toEqual(expected);
  });
});

/** Names of a flat header array, lower-cased. */
const namesOf = (flat: readonly string[]) => flat.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());

describe("upstreamRequestHeaders", () => {
  const ours = (host: string, xff: string) => [
    "x-instance-id", "orders-1",
    "x-request-id", "rid-1",
    "x-forwarded-for", xff,
    "x-forwarded-proto", "http",
    "x-forwarded-host", host,
  ];
  const build = (rawHeaders: string[], headers: Record<string, string>) =>
    upstreamRequestHeaders(rawHeaders, headers, "rid-1", "orders-1", "192.0.2.7");

  it("strips hop-by-hop headers in any case, including those named by Connection, and keeps the rest in order and case", () => {
    const rawHeaders = [
      "Host", "lb.example",
      "Accept", "application/json",
      "CONNECTION", "keep-alive, X-Secret-Hop",
      "Keep-Alive", "timeout=5",
      "te", "trailers",
      "Trailer", "Expires",
      "Transfer-Encoding", "chunked",
      "Upgrade", "websocket",
      "Proxy-Authorization", "Basic abc",
      "proxy-connection", "keep-alive",
      "x-secret-hop", "1",
      "Expect", "100-continue",
      "Cookie", "a=1",
      "Proxyish", "kept: not a proxy- header",
      "X-Forwarded-Hostname", "kept: not x-forwarded-host",
    ];
    const headers = { host: "lb.example", connection: "keep-alive, X-Secret-Hop" };
    expect(build(rawHeaders, headers)).toEqual([
      ...ours("lb.example", "192.0.2.7"),
      "Accept", "application/json",
      "Cookie", "a=1",
      "Proxyish", "kept: not a proxy- header",
      "X-Forwarded-Hostname", "kept: not x-forwarded-host",
    ]);
  });

  it("appends the client address to an existing X-Forwarded-For and replaces client-sent ids and forwarded headers", () => {
    const rawHeaders = [
      "Host", "lb.example",
      "X-Forwarded-For", "198.51.100.1",
      "X-Instance-ID", "spoofed",
      "X-Request-Id", "client-id",
      "X-Forwarded-Proto", "https",
      "X-FORWARDED-HOST", "spoofed.example",
    ];
    const out = build(rawHeaders, { host: "lb.example", "x-forwarded-for": "198.51.100.1" });
    expect(out).toEqual(ours("lb.example", "198.51.100.1, 192.0.2.7"));
  });

  it("leaves out X-Forwarded-Host when the client sent no Host, and puts the instance id in its slot", () => {
    const out = build(["Accept", "*/*"], {});
    expect(namesOf(out)).not.toContain("x-forwarded-host");
    expect(namesOf(out)).not.toContain("host");
    expect(out[UPSTREAM_INSTANCE_SLOT]).toBe("orders-1");
    expect(out[UPSTREAM_INSTANCE_SLOT - 1]).toBe("x-instance-id");
  });
});

describe("clientResponseRawHeaders", () => {
  const raw = (...flat: string[]) => flat.map((v) => Buffer.from(v, "latin1"));

  it.each<[string, Buffer[], string[]]>([
    [
      "a Node backend's usual answer: Connection and Keep-Alive dropped",
      raw("Content-Type", "application/json", "Date", "Wed, 25 Nov 2026 10:00:00 GMT", "Connection", "keep-alive", "Keep-Alive", "timeout=5", "Content-Length", "99"),
      ["Content-Type", "application/json", "Date", "Wed, 25 Nov 2026 10:00:00 GMT", "Content-Length", "99"],
    ],
    [
      "hop-by-hop in any case, and headers named by Connection",
      raw("connection", "close, X-Internal", "X-INTERNAL", "1", "TRANSFER-ENCODING", "chunked", "Upgrade", "h2c", "Trailer", "x", "Proxy-Authenticate", "Basic", "Set-Cookie", "a=1", "set-cookie", "b=2"),
      ["Set-Cookie", "a=1", "set-cookie", "b=2"],
    ],
    [
      "the upstream's own ids are replaced by ours; latin1 values pass byte for byte",
      raw("X-Request-ID", "upstream-id", "x-instance-id", "other", "X-Note", "caf\u00e9"),
      ["X-Note", "caf\u00e9"],
    ],
  ])("%s", (_, upstream, kept) => {
    expect(clientResponseRawHeaders(upstream, "rid-2", "orders-2")).toEqual(["x-request-id", "rid-2", "x-instance-id", "orders-2", ...kept]);
  });
});

describe("responseBodyLength", () => {
  const raw = (...flat: string[]) => flat.map((v) => Buffer.from(v, "latin1"));
  it.each<[string[], number]>([
    [["Content-Type", "text/plain", "Content-Length", "99"], 99],
    [["content-length", "0"], 0],
    [["CONTENT-LENGTH", "1234567890"], 1234567890],
    [["Content-Type", "text/plain"], -1],
    [["Transfer-Encoding", "chunked"], -1],
    [["Content-Length", ""], -1],
    [["Content-Length", "12a"], -1],
    [["Content-Length", " 12"], -1],
    [["Content-Length", "1234567890123456"], -1],
    [["Content-Lengthy", "5"], -1],
  ])("%j → %d", (flat, expected) => {
    expect(responseBodyLength(raw(...flat))).toBe(expected);
  });
});

describe("clientResponseRawHeaders name cache", () => {
  it("keeps names byte for byte (case included) however many distinct names an upstream sends", () => {
    const names = Array.from({ length: 40 }, (_, i) => `X-Name-${String(i).padStart(2, "0")}`); // one length, more than the cache holds
    const variants = [...names, ...names.map((n) => n.toLowerCase()), ...names.map((n) => n.toUpperCase())];
    for (let round = 0; round < 2; round++) {
      const flat = variants.flatMap((n) => [Buffer.from(n, "latin1"), Buffer.from(`v-${n}`, "latin1")]);
      const out = clientResponseRawHeaders(flat, "r", "i").slice(4);
      expect(out).toEqual(variants.flatMap((n) => [n, `v-${n}`]));
    }
  });
});
