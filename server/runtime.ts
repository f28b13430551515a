/**
 * The process's one runtime (engine, database, MQTT, readiness), built once by
 * server/main.ts and handed to code compiled by Next (the tRPC route handler)
 * through a `Symbol.for` key on globalThis: Next bundles its own copy of every
 * module, so a module-level singleton would exist twice; a global registry key
 * is shared by both copies.
 */
import type { Logger } from "pino";
import type { AdminOperations } from "./admin";
import type { AuthService, SignInThrottle } from "./auth";
import type { Config } from "./config";
import type { Db, EventQuery, StoredEvent } from "./db";
import type { Engine } from "./engine";
import type { MqttConnection } from "./mqtt";
import type { InstanceThroughput, LiveSnapshot, RecentEvent, Series } from "./stats";

export type { LiveSnapshot, RecentEvent };

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
  readonly stats: {
    live(): LiveSnapshot | undefined;
    liveHistory(): readonly LiveSnapshot[];
    onLive(listener: (snapshot: LiveSnapshot) => void): () => void;
    series(query: { service: string; instanceId?: string | undefined; from: number; to: number }): Promise<Series>;
    instanceSeries(query: { service: string; from: number; to: number }): Promise<InstanceThroughput>;
  };
  readonly auth: AuthService;
  readonly signInThrottle: SignInThrottle;
  readonly admin: AdminOperations;
  readonly events: {
    recent(): readonly RecentEvent[];
    onEvent(listener: (event: RecentEvent) => void): () => void;
    list(query: EventQuery): Promise<StoredEvent[]>;
  };
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
