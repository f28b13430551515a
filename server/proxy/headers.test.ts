import { describe, expect, it } from "vitest";
import { clientResponseHeaders, upstreamRequestHeaders } from "./headers";
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

describe("upstreamRequestHeaders", () => {
  const base = {
    requestId: "rid-1",
    instanceId: "orders-1",
    upstreamHost: "10.0.0.5:9000",
    clientAddress: "192.0.2.7",
  };

  it("strips hop-by-hop headers, including those named by Connection", () => {
    const rawHeaders = [
      "Host", "lb.example",
      "Connection", "keep-alive, X-Secret-Hop",
      "Keep-Alive", "timeout=5",
      "TE", "trailers",
      "Transfer-Encoding", "chunked",
      "Upgrade", "websocket",
      "Proxy-Authorization", "Basic abc",
      "Proxy-Connection", "keep-alive",
      "X-Secret-Hop", "1",
      "Expect", "100-continue",
      "Accept", "application/json",
      "Cookie", "a=1",
    ];
    const headers = { host: "lb.example", connection: "keep-alive, X-Secret-Hop" };
    const out = upstreamRequestHeaders({ ...base, rawHeaders, headers });
    const names = out.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    for (const hop of ["connection", "keep-alive", "te", "transfer-encoding", "upgrade", "proxy-authorization", "proxy-connection", "x-secret-hop", "expect"]) {
      expect(names).not.toContain(hop);
    }
    expect(out).toEqual([
      "Accept", "application/json",
      "Cookie", "a=1",
      "host", "10.0.0.5:9000",
      "x-request-id", "rid-1",
      "x-instance-id", "orders-1",
      "x-forwarded-for", "192.0.2.7",
      "x-forwarded-proto", "http",
      "x-forwarded-host", "lb.example",
    ]);
  });

  it("appends the client address to an existing X-Forwarded-For and replaces client-sent ids", () => {
    const rawHeaders = ["X-Forwarded-For", "198.51.100.1", "X-Instance-ID", "spoofed", "X-Request-ID", "client-id"];
    const out = upstreamRequestHeaders({ ...base, rawHeaders, headers: { "x-forwarded-for": "198.51.100.1" } });
    expect(out.filter((v) => v === "spoofed")).toHaveLength(0);
    const xff = out[out.indexOf("x-forwarded-for") + 1];
    expect(xff).toBe("198.51.100.1, 192.0.2.7");
    expect(out[out.indexOf("x-request-id") + 1]).toBe("rid-1");
  });
});

describe("clientResponseHeaders", () => {
  it("drops hop-by-hop headers from the upstream answer and adds the ids", () => {
    const out = clientResponseHeaders(
      {
        "content-type": "text/plain",
        connection: "close, x-internal",
        "x-internal": "1",
        "keep-alive": "timeout=5",
        "transfer-encoding": "chunked",
        "set-cookie": ["a=1", "b=2"],
      },
      "rid-2",
      "orders-2",
    );
    expect(out).toEqual({
      "content-type": "text/plain",
      "set-cookie": ["a=1", "b=2"],
      "x-request-id": "rid-2",
      "x-instance-id": "orders-2",
    });
  });
});
