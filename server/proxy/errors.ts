/**
 * The balancer's own error responses: always JSON `{ error, message, ... }`,
 * so a client can tell them from an upstream's answer (which passes untouched).
 */
import type { ServerResponse } from "node:http";

export type ProxyErrorCode =
  | "unknown_service"
  | "no_available_instance"
  | "bad_gateway"
  | "gateway_timeout"
  | "payload_too_large"
  | "bad_request"
  | "shutting_down";

const STATUS: Record<ProxyErrorCode, number> = {
  unknown_service: 404,
  no_available_instance: 503,
  bad_gateway: 502,
  gateway_timeout: 504,
  payload_too_large: 413,
  bad_request: 400,
  shutting_down: 503,
};

export interface ProxyErrorDetails {
  readonly message: string;
  readonly requestId: string;
  readonly service?: string;
  readonly instanceId?: string;
  /** Seconds, for 503s: sent as Retry-After too. */
  readonly retryAfterS?: number;
}

export function sendProxyError(res: ServerResponse, code: ProxyErrorCode, details: ProxyErrorDetails): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({
    error: code,
    message: details.message,
    request_id: details.requestId,
    ...(details.service === undefined ? {} : { service: details.service }),
    ...(details.instanceId === undefined ? {} : { instance_id: details.instanceId }),
  });
  const headers: Record<string, string | number> = {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "x-request-id": details.requestId,
  };
  if (details.instanceId !== undefined) headers["x-instance-id"] = details.instanceId;
  if (details.retryAfterS !== undefined) headers["retry-after"] = details.retryAfterS;
  res.writeHead(STATUS[code], headers);
  res.end(body);
}
