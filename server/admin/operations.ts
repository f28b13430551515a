/**
 * What operators and admins change, one function per command. Each command:
 *  1. checks what the engine would refuse (same validation), before writing;
 *  2. commits the change together with its audit row in ONE transaction;
 *  3. only then applies it to the engine (the working copy) and returns.
 * A change that cannot be committed changes nothing and is refused with a
 * clear message; a refused command (bad input, conflict, missing target) is
 * audited too, as refused, with the reason. Callers (tRPC) authorize first.
 */
import type { AuthService, Principal, Role } from "../auth";
import { hashPassword } from "../auth";
import type { ConfigDocument } from "../config";
import type { Db, ServiceFields, StoredService } from "../db";
import {
  validateInstanceConfig,
  validateServiceConfig,
  instanceId as toInstanceId,
  serviceName as toServiceName,
  type Algorithm,
  type Engine,
} from "../engine";
import type { HostPolicy } from "../net";

export interface Actor {
  readonly principal: Principal | undefined;
  readonly address: string | null;
}

/** A command refused for a reason the caller should see (mapped to tRPC codes). */
export class AdminError extends Error {
  override readonly name = "AdminError";
  constructor(
    readonly code: "BAD_REQUEST" | "NOT_FOUND" | "CONFLICT",
    message: string,
  ) {
    super(message);
  }
}

function actorFields(actor: Actor) {
  return {
    actor: actor.principal?.name ?? "anonymous",
    actorKind: actor.principal?.kind ?? ("anonymous" as const),
    role: actor.principal?.role ?? null,
    address: actor.address,
  };
}

/** Error → AdminError (StoreError and EngineError carry codes; RangeError is bad input). */
function asAdminError(error: unknown): AdminError | undefined {
  if (error instanceof AdminError) return error;
  if (error instanceof RangeError) return new AdminError("BAD_REQUEST", error.message);
  if (error instanceof Error && (error.name === "StoreError" || error.name === "EngineError")) {
    const code = (error as Error & { code?: string }).code;
    if (code === "NOT_FOUND" || code === "CONFLICT") return new AdminError(code, error.message);
    if (code === "INVALID") return new AdminError("BAD_REQUEST", error.message);
  }
  return undefined;
}

/** Makes the engine hold exactly what is stored for one service. */
export function syncService(engine: Engine, name: string, stored: StoredService | undefined, reason: string): void {
  const service = toServiceName(name);
  if (stored === undefined) {
    if (engine.getService(name) !== undefined) engine.removeService(service, reason);
    return;
  }
  engine.upsertService(stored.config, reason);
  const wanted = new Set<string>(stored.instances.map((i) => i.id));
  for (const instance of engine.getServiceSnapshot(name)?.instances ?? []) {
    if (!wanted.has(instance.id)) engine.removeInstance(service, instance.id, reason);
  }
  for (const instance of stored.instances) engine.upsertInstance(service, instance, reason);
}

function validateStored(stored: StoredService): void {
  validateServiceConfig(stored.config);
  for (const instance of stored.instances) validateInstanceConfig(instance);
}

export interface InstanceInput {
  id: string;
  host: string;
  port: number;
  weight: number;
}

export function createAdminOperations(deps: { db: Db; engine: Engine; hostPolicy: HostPolicy; auth: Pick<AuthService, "createToken"> }) {
  const { db, engine } = deps;

  async function refuse(actor: Actor, action: string, target: string | null, reason: string): Promise<void> {
    await db.auth.audit.insert({ ...actorFields(actor), action, target, allowed: false, reason });
  }

  /** Runs a service change in a transaction with its audit row, then syncs the engine. */
  async function serviceChange(
    actor: Actor,
    action: string,
    name: string,
    target: string,
    write: (tx: Parameters<Parameters<Db["transaction"]>[0]>[0]) => Promise<{ before: StoredService | undefined; after: StoredService | undefined }>,
  ): Promise<StoredService | undefined> {
    try {
      const { after } = await db.transaction(async (tx) => {
        const result = await write(tx);
        if (result.after !== undefined) validateStored(result.after);
        await tx.auth.audit.insert({ ...actorFields(actor), action, target, before: result.before, after: result.after, allowed: true });
        return result;
      });
      syncService(engine, name, after, `${action} by ${actor.principal?.name ?? "anonymous"}`);
      return after;
    } catch (error) {
      const known = asAdminError(error);
      if (known === undefined) throw error;
      await refuse(actor, action, target, known.message);
      throw known;
    }
  }

  async function plainChange<T>(actor: Actor, action: string, target: string, run: () => Promise<{ result: T; before?: unknown; after?: unknown }>): Promise<T> {
    try {
      const out = await run();
      await db.auth.audit.insert({ ...actorFields(actor), action, target, before: out.before, after: out.after, allowed: true });
      return out.result;
    } catch (error) {
      const known = asAdminError(error);
      if (known === undefined) throw error;
      await refuse(actor, action, target, known.message);
      throw known;
    }
  }

  const requireInstance = (service: string, id: string) => {
    const snapshot = engine.getServiceSnapshot(service);
    if (snapshot === undefined) throw new AdminError("NOT_FOUND", `no service named ${JSON.stringify(service)}`);
    const instance = snapshot.instances.find((i) => i.id === id);
    if (instance === undefined) throw new AdminError("NOT_FOUND", `no instance ${JSON.stringify(id)} in ${service}`);
    return instance;
  };

  return {
    refuse,

    createService: (actor: Actor, name: string, fields: Partial<ServiceFields>) =>
      serviceChange(actor, "service.create", name, name, async (tx) => ({ before: undefined, after: await tx.services.createService(name, fields) })),

    updateService: (actor: Actor, name: string, fields: Partial<ServiceFields>) =>
      serviceChange(actor, "service.update", name, name, (tx) => tx.services.updateService(name, fields)),

    setAlgorithm: (actor: Actor, name: string, algorithm: Algorithm) =>
      serviceChange(actor, "service.set_algorithm", name, name, (tx) => tx.services.updateService(name, { algorithm })),

    deleteService: (actor: Actor, name: string) =>
      serviceChange(actor, "service.delete", name, name, async (tx) => ({ before: await tx.services.deleteService(name), after: undefined })),

    addInstance: (actor: Actor, service: string, input: InstanceInput) =>
      serviceChange(actor, "instance.add", service, `${service}/${input.id}`, async (tx) => {
        const refused = deps.hostPolicy(input.host);
        if (refused !== undefined) throw new AdminError("BAD_REQUEST", `host ${input.host} refused: ${refused}`);
        validateInstanceConfig({ id: toInstanceId(input.id), host: input.host, port: input.port, weight: input.weight, enabled: true, draining: false });
        const before = await tx.services.load(service);
        const after = await tx.services.addInstance(service, input.id, { host: input.host, port: input.port, weight: input.weight, enabled: true, draining: false });
        return { before, after };
      }),

    updateInstance: (actor: Actor, service: string, id: string, fields: { weight?: number | undefined; enabled?: boolean | undefined; draining?: boolean | undefined }) =>
      serviceChange(actor, fields.draining === true ? "instance.drain" : "instance.update", service, `${service}/${id}`, (tx) =>
        tx.services.updateInstance(service, id, {
          ...(fields.weight === undefined ? {} : { weight: fields.weight }),
          ...(fields.enabled === undefined ? {} : { enabled: fields.enabled }),
          ...(fields.draining === undefined ? {} : { draining: fields.draining }),
        }),
      ),

    removeInstance: (actor: Actor, service: string, id: string) =>
      serviceChange(actor, "instance.remove", service, `${service}/${id}`, async (tx) => ({
        before: await tx.services.removeInstance(service, id),
        after: await tx.services.load(service),
      })),

    resetBreaker: (actor: Actor, service: string, id: string) =>
      plainChange(actor, "breaker.reset", `${service}/${id}`, () => {
        const before = requireInstance(service, id).breaker.state;
        engine.resetBreaker(toServiceName(service), toInstanceId(id), `reset by ${actor.principal?.name ?? "anonymous"}`);
        return Promise.resolve({ result: undefined, before: { state: before }, after: { state: "closed" } });
      }),

    forceOpenBreaker: (actor: Actor, service: string, id: string) =>
      plainChange(actor, "breaker.force_open", `${service}/${id}`, () => {
        const before = requireInstance(service, id).breaker.state;
        if (before === "forced_open") throw new AdminError("CONFLICT", `the breaker of ${service}/${id} is forced open already`);
        engine.forceOpenBreaker(toServiceName(service), toInstanceId(id), `forced open by ${actor.principal?.name ?? "anonymous"}`);
        return Promise.resolve({ result: undefined, before: { state: before }, after: { state: "forced_open" } });
      }),

    createUser: (actor: Actor, username: string, password: string, role: Role) =>
      plainChange(actor, "user.create", username, async () => {
        if ((await db.auth.users.findByUsername(username)) !== null) throw new AdminError("CONFLICT", `a user named ${JSON.stringify(username)} exists already`);
        await db.auth.users.create({ username, passwordHash: await hashPassword(password), role });
        return { result: undefined, after: { username, role } };
      }),

    /**
     * Converges the declared services to a configuration document in ONE
     * transaction (all or nothing), with an audit row per service changed,
     * then applies them to the engine. Returns the names of changed services.
     */
    async applyConfig(actor: Actor, doc: ConfigDocument): Promise<string[]> {
      for (const service of doc.services) {
        for (const instance of service.instances) {
          const refused = deps.hostPolicy(instance.host);
          if (refused !== undefined) throw new AdminError("BAD_REQUEST", `${service.name}/${instance.id}: host ${instance.host} refused: ${refused}`);
        }
      }
      const changed = await db.transaction(async (tx) => {
        const results: { name: string; after: StoredService }[] = [];
        for (const service of doc.services) {
          const fields: Partial<ServiceFields> = {
            algorithm: service.algorithm,
            ...(service.healthCheck.methods === undefined ? {} : { healthCheckMethods: service.healthCheck.methods }),
            ...(service.healthCheck.path === undefined ? {} : { healthCheckPath: service.healthCheck.path }),
            ...(service.healthCheck.intervalMs === undefined ? {} : { healthCheckIntervalMs: service.healthCheck.intervalMs }),
            ...(service.healthCheck.timeoutMs === undefined ? {} : { healthCheckTimeoutMs: service.healthCheck.timeoutMs }),
            ...(service.healthCheck.healthyThreshold === undefined ? {} : { healthyThreshold: service.healthCheck.healthyThreshold }),
            ...(service.healthCheck.unhealthyThreshold === undefined ? {} : { unhealthyThreshold: service.healthCheck.unhealthyThreshold }),
            ...(service.breaker.failureThreshold === undefined ? {} : { breakerFailureThreshold: service.breaker.failureThreshold }),
            ...(service.breaker.recoveryTimeoutMs === undefined ? {} : { breakerRecoveryTimeoutMs: service.breaker.recoveryTimeoutMs }),
            ...(service.breaker.successThreshold === undefined ? {} : { breakerSuccessThreshold: service.breaker.successThreshold }),
            ...(service.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: service.requestTimeoutMs }),
            ...(service.maxConnectionsPerInstance === undefined ? {} : { maxConnectionsPerInstance: service.maxConnectionsPerInstance }),
          };
          const existing = await tx.services.load(service.name).catch(() => undefined);
          let after = existing === undefined ? await tx.services.createService(service.name, fields) : (await tx.services.updateService(service.name, fields)).after;
          const declared = new Map(service.instances.map((i) => [i.id, i]));
          for (const current of after.instances) {
            if (current.source === "manual" && !declared.has(current.id)) {
              await tx.services.removeInstance(service.name, current.id);
              after = await tx.services.load(service.name);
            }
          }
          for (const instance of service.instances) {
            const current = after.instances.find((i) => i.id === instance.id);
            const fieldsOf = { host: instance.host, port: instance.port, weight: instance.weight, enabled: instance.enabled, draining: instance.draining };
            if (current === undefined) after = await tx.services.addInstance(service.name, instance.id, fieldsOf);
            else if (current.source !== "manual") throw new AdminError("CONFLICT", `${service.name}/${instance.id} is managed by ${current.source}`);
            else after = (await tx.services.updateInstance(service.name, instance.id, fieldsOf)).after;
          }
          validateStored(after);
          if (JSON.stringify(existing) !== JSON.stringify(after)) {
            await tx.auth.audit.insert({ ...actorFields(actor), action: "config.apply", target: service.name, before: existing, after, allowed: true });
            results.push({ name: service.name, after });
          }
        }
        return results;
      });
      for (const { name, after } of changed) syncService(engine, name, after, `configuration applied by ${actor.principal?.name ?? "system"}`);
      return changed.map((c) => c.name);
    },

    /** The stored configuration as a document (manual instances only: discovery re-announces its own). */
    async exportConfig(): Promise<ConfigDocument> {
      const services = await db.services.list();
      return {
        services: services.map((s) => ({
          name: s.config.name,
          algorithm: s.config.algorithm,
          healthCheck: {
            methods: [...s.config.health.methods],
            path: s.config.health.path,
            intervalMs: s.config.health.intervalMs,
            timeoutMs: s.config.health.timeoutMs,
            healthyThreshold: s.config.health.healthyThreshold,
            unhealthyThreshold: s.config.health.unhealthyThreshold,
          },
          breaker: {
            failureThreshold: s.config.breaker.failureThreshold,
            recoveryTimeoutMs: s.config.breaker.recoveryTimeoutMs,
            successThreshold: s.config.breaker.successThreshold,
          },
          requestTimeoutMs: s.config.requestTimeoutMs,
          maxConnectionsPerInstance: s.config.maxConnectionsPerInstance,
          instances: s.instances
            .filter((i) => i.source === "manual")
            .map((i) => ({ id: i.id, host: i.host, port: i.port, weight: i.weight, enabled: i.enabled, draining: i.draining })),
        })),
      };
    },

    createToken: (actor: Actor, name: string, role: Role) =>
      plainChange(actor, "token.create", name, async () => {
        if ((await db.auth.tokens.list()).some((t) => t.name === name)) throw new AdminError("CONFLICT", `a token named ${JSON.stringify(name)} exists already`);
        const token = await deps.auth.createToken(name, role, actor.principal?.name ?? "anonymous");
        return { result: token, after: { name, role } };
      }),

    revokeToken: (actor: Actor, name: string) =>
      plainChange(actor, "token.revoke", name, async () => {
        const { count } = await db.auth.tokens.revoke(name, new Date());
        if (count === 0) throw new AdminError("NOT_FOUND", `no active token named ${JSON.stringify(name)}`);
        return { result: undefined, after: { revoked: true } };
      }),

    updateUser: (actor: Actor, username: string, fields: { role?: Role | undefined; disabled?: boolean | undefined; password?: string | undefined }) =>
      plainChange(actor, "user.update", username, async () => {
        const user = await db.auth.users.findByUsername(username);
        if (user === null) throw new AdminError("NOT_FOUND", `no user named ${JSON.stringify(username)}`);
        if (username === actor.principal?.name && (fields.disabled === true || (fields.role !== undefined && fields.role !== "admin"))) {
          throw new AdminError("BAD_REQUEST", "you cannot disable yourself or take away your own admin role");
        }
        await db.auth.users.update(username, {
          ...(fields.role === undefined ? {} : { role: fields.role }),
          ...(fields.disabled === undefined ? {} : { disabled: fields.disabled }),
          ...(fields.password === undefined ? {} : { passwordHash: await hashPassword(fields.password) }),
        });
        if (fields.disabled === true || fields.password !== undefined || fields.role !== undefined) await db.auth.sessions.revokeAllOfUser(user.id, new Date());
        return {
          result: undefined,
          before: { role: user.role, disabled: user.disabled },
          after: { role: fields.role ?? user.role, disabled: fields.disabled ?? user.disabled, passwordChanged: fields.password !== undefined },
        };
      }),
  };
}

export type AdminOperations = ReturnType<typeof createAdminOperations>;
