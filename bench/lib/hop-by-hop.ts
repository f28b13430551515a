/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) that the reference forwarders strip, so
 * they stay correct HTTP/1.1 proxies while doing nothing else.
 */
import type { IncomingHttpHeaders } from "node:http";

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]);

/** A copy of `headers` without the hop-by-hop ones. */
export function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}
