/**
 * The probes of one health check: HTTP GET, TCP connect and the MQTT heartbeat
 * verdict, tried in the service's order (the seed's `_perform_health_check`:
 * http → mqtt → tcp, "the first that passes decides").
 *
 * Owns: the I/O of one check and the short reason strings handed to the engine
 * ("http 503", "http timeout after 2000 ms", "tcp ECONNREFUSED").
 * Invariants: a probe never throws and never outlives its deadline; every timer
 * and socket it opens is released before its promise settles; an aborted check
 * (instance removed, checker stopped) yields no verdict, never a failure.
 * Cost: one TCP connection per http/tcp probe (no keep-alive, see httpProbe),
 * one timer per probe, O(1) memory.
 */

import net from "node:net";
import type { Dispatcher } from "undici";
import { request } from "undici";
import type { HealthCheckMethod, InstanceId, ServiceName } from "../engine";

/** Sent with every HTTP check so backends can tell (and not log or count) them. */
export const HEALTH_USER_AGENT = "alicia-load-balancer-health/1";

/** What the MQTT ring knows of an instance's heartbeats. */
export type HeartbeatStatus = "alive" | "stale" | "unknown";

/** One method's outcome: a verdict with its reason, or nothing to say. */
export type ProbeResult = { kind: "pass"; reason: string } | { kind: "fail"; reason: string } | { kind: "none" };

/** The check's result for the engine; undefined when no method gave a verdict (or it was aborted). */
export interface CheckVerdict {
  passed: boolean;
  reason: string;
}

export interface ProbeTarget {
  service: ServiceName;
  instanceId: InstanceId;
  host: string;
  port: number;
}

export interface ProbeContext {
  dispatcher: Dispatcher;
  heartbeatStatus: (service: string, instanceId: string) => HeartbeatStatus;
  warn: (obj: object, msg: string) => void;
}

export interface ProbeSettings {
  methods: readonly HealthCheckMethod[];
  path: string;
  timeoutMs: number;
}

const NONE: ProbeResult = { kind: "none" };

/**
 * Tries the methods in order. The first pass decides (its reason names the
 * failures before it); a failure falls through to the next method; when every
 * method that gave a verdict failed, the check failed with all their reasons;
 * when none gave one (e.g. only "mqtt", heartbeat unknown) there is no verdict.
 */
export async function runProbes(
  target: ProbeTarget,
  settings: ProbeSettings,
  context: ProbeContext,
  signal: AbortSignal,
): Promise<CheckVerdict | undefined> {
  const failures: string[] = [];
  for (const method of settings.methods) {
    if (signal.aborted) return undefined;
    // An aborted probe answers "none"; the caller drops whatever comes back after an abort.
    const result = await runProbe(method, target, settings, context, signal);
    switch (result.kind) {
      case "pass":
        return { passed: true, reason: failures.length === 0 ? result.reason : `${result.reason} (after ${failures.join("; ")})` };
      case "fail":
        failures.push(result.reason);
        break;
      case "none":
        break;
    }
  }
  return failures.length === 0 ? undefined : { passed: false, reason: failures.join("; ") };
}

function runProbe(
  method: HealthCheckMethod,
  target: ProbeTarget,
  settings: ProbeSettings,
  context: ProbeContext,
  signal: AbortSignal,
): Promise<ProbeResult> {
  switch (method) {
    case "http":
      return httpProbe(target, settings.path, settings.timeoutMs, context.dispatcher, signal);
    case "tcp":
      return tcpProbe(target, settings.timeoutMs, signal);
    case "mqtt":
      return Promise.resolve(mqttProbe(target, context));
  }
}

/**
 * GET http://host:port{path}; a 2xx passes, any other status, a timeout or a
 * connection error fails. The body is read and discarded (bounded by undici's
 * dump limit and the deadline) so the socket is released cleanly.
 *
 * Decision: no keep-alive (`reset: true`, i.e. `connection: close`). A fresh
 * connection per check also proves the instance still accepts connections, as
 * HAProxy's checks do, and at the usual intervals (seconds to the seed's 30 s) a
 * pooled socket would have been closed by the backend's idle timeout anyway;
 * nothing lingers between checks.
 */
async function httpProbe(
  target: ProbeTarget,
  path: string,
  timeoutMs: number,
  dispatcher: Dispatcher,
  parent: AbortSignal,
): Promise<ProbeResult> {
  const deadline = startDeadline(parent, timeoutMs);
  try {
    const { statusCode, body } = await request(`http://${formatHost(target.host)}:${target.port}${path}`, {
      method: "GET",
      dispatcher,
      headers: { "user-agent": HEALTH_USER_AGENT },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      reset: true,
      signal: deadline.signal,
    });
    // The status decides; a body that fails to arrive after a 2xx does not undo it.
    await body.dump({ limit: 64 * 1024, signal: deadline.signal }).catch(() => undefined);
    const reason = `http ${statusCode}`;
    return statusCode >= 200 && statusCode < 300 ? { kind: "pass", reason } : { kind: "fail", reason };
  } catch (error) {
    if (parent.aborted) return NONE;
    if (deadline.timedOut || isTimeoutCode(errorCode(error))) return { kind: "fail", reason: `http timeout after ${timeoutMs} ms` };
    return { kind: "fail", reason: `http ${describeError(error)}` };
  } finally {
    deadline.dispose();
  }
}

/** A TCP connect within the timeout passes (the socket is destroyed at once); a refusal, reset or timeout fails. */
function tcpProbe(target: ProbeTarget, timeoutMs: number, parent: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const deadline = startDeadline(parent, timeoutMs);
    let socket: net.Socket | undefined;
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      deadline.dispose();
      socket?.destroy();
      resolve(result);
    };
    deadline.signal.addEventListener(
      "abort",
      () => {
        finish(deadline.timedOut ? { kind: "fail", reason: `tcp timeout after ${timeoutMs} ms` } : NONE);
      },
      { once: true },
    );
    if (deadline.signal.aborted) {
      finish(NONE);
      return;
    }
    try {
      socket = net.connect({ host: target.host, port: target.port });
    } catch (error) {
      finish({ kind: "fail", reason: `tcp ${describeError(error)}` });
      return;
    }
    socket.once("connect", () => {
      finish({ kind: "pass", reason: "tcp connected" });
    });
    socket.once("error", (error) => {
      finish({ kind: "fail", reason: `tcp ${describeError(error)}` });
    });
  });
}

/** The MQTT ring's heartbeat verdict; "unknown" (or a throwing callback) says nothing. */
function mqttProbe(target: ProbeTarget, context: ProbeContext): ProbeResult {
  let status: HeartbeatStatus;
  try {
    status = context.heartbeatStatus(target.service, target.instanceId);
  } catch (error) {
    context.warn({ err: error, service: target.service, instanceId: target.instanceId }, "health: heartbeatStatus threw");
    return NONE;
  }
  switch (status) {
    case "alive":
      return { kind: "pass", reason: "mqtt heartbeat alive" };
    case "stale":
      return { kind: "fail", reason: "mqtt heartbeat stale" };
    case "unknown":
      return NONE;
  }
}

interface Deadline {
  /** Aborts when the timeout fires or the parent aborts. */
  readonly signal: AbortSignal;
  readonly timedOut: boolean;
  /** Clears the timer and the parent link (idempotent). */
  dispose(): void;
}

/** One probe's timeout, linked to the check's signal; owns exactly one timer. */
function startDeadline(parent: AbortSignal, timeoutMs: number): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const onParentAbort = (): void => {
    controller.abort(parent.reason);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`health check timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  timer.unref();
  if (parent.aborted) onParentAbort();
  else parent.addEventListener("abort", onParentAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      clearTimeout(timer);
      parent.removeEventListener("abort", onParentAbort);
    },
  };
}

function formatHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

function isTimeoutCode(code: string | undefined): boolean {
  return code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT";
}

/** The errno-style code of an error (or of the first error of an AggregateError, as Happy Eyeballs throws). */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.length > 0) return code;
  if (error instanceof AggregateError) return errorCode(error.errors[0]);
  return undefined;
}

/** "ECONNREFUSED", "connection closed", or the error's message as a last resort. */
function describeError(error: unknown): string {
  const code = errorCode(error);
  if (code === "UND_ERR_SOCKET") return "connection closed";
  if (code !== undefined) return code;
  if (error instanceof Error) return error.message.slice(0, 120);
  return "error";
}
