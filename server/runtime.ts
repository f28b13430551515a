/**
 * The process's one runtime (engine, database, MQTT, readiness), built once by
 * server/main.ts and handed to code compiled by Next (the tRPC route handler)
 * through a `Symbol.for` key on globalThis: Next bundles its own copy of every
 * module, so a module-level singleton would exist twice; a global registry key
 * is shared by both copies.
 */
import type { Logger } from "pino";
import type { Config } from "./config";
import type { Db } from "./db";
import type { Engine } from "./engine";
import type { MqttConnection } from "./mqtt";

export interface Readiness {
  /** Why the process is not ready, or undefined when it is. */
  reason(): string | undefined;
}

export interface Runtime {
  readonly config: Config;
  readonly log: Logger;
  readonly db: Db;
  readonly engine: Engine;
  readonly mqtt: MqttConnection;
  readonly readiness: Readiness;
  readonly startedAt: Date;
}

const RUNTIME_KEY = Symbol.for("alicia.load-balancer.runtime");

interface RuntimeHolder {
  [RUNTIME_KEY]?: Runtime;
}

export function setRuntime(runtime: Runtime | undefined): void {
  (globalThis as RuntimeHolder)[RUNTIME_KEY] = runtime;
}

/** The runtime, or a clear error when the server was not started through server/main.ts. */
export function getRuntime(): Runtime {
  const runtime = (globalThis as RuntimeHolder)[RUNTIME_KEY];
  if (!runtime) {
    throw new Error("the load balancer runtime is not started (run the server with `npm start`, not `next start`)");
  }
  return runtime;
}
