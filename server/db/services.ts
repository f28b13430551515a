/**
 * Services and instances: rows ↔ engine configuration. Prisma types stay in
 * this folder; callers get engine types (ServiceConfig, InstanceConfig).
 */
import type { Algorithm, HealthCheckMethod, InstanceConfig, InstanceId, ServiceConfig, ServiceName } from "../engine";
import { ALGORITHMS, DEFAULT_BREAKER, HEALTH_CHECK_METHODS } from "../engine";
import type { PrismaClient } from "./generated/client";

export type InstanceSource = "manual" | "discovery";

export interface StoredInstance extends InstanceConfig {
  readonly source: InstanceSource;
}

export interface StoredService {
  readonly config: ServiceConfig;
  readonly instances: readonly StoredInstance[];
}

export type RegisterResult =
  | { readonly outcome: "created" | "updated" | "unchanged"; readonly service: StoredService; readonly serviceCreated: boolean }
  | { readonly outcome: "conflict"; readonly reason: string };

function toAlgorithm(value: string): Algorithm {
  const found = ALGORITHMS.find((a) => a === value);
  if (!found) throw new Error(`database holds unknown algorithm ${JSON.stringify(value)}`);
  return found;
}

function toMethod(value: string): HealthCheckMethod {
  const found = HEALTH_CHECK_METHODS.find((m) => m === value);
  if (!found) throw new Error(`database holds unknown health check method ${JSON.stringify(value)}`);
  return found;
}

type ServiceRow = Awaited<ReturnType<PrismaClient["service"]["findMany"]>>[number];
type InstanceRow = Awaited<ReturnType<PrismaClient["instance"]["findMany"]>>[number];

export function toStoredService(row: ServiceRow & { instances: InstanceRow[] }): StoredService {
  return {
    config: {
      name: row.name as ServiceName,
      algorithm: toAlgorithm(row.algorithm),
      maxConnectionsPerInstance: row.maxConnectionsPerInstance,
      breaker: {
        ...DEFAULT_BREAKER,
        failureThreshold: row.breakerFailureThreshold,
        recoveryTimeoutMs: row.breakerRecoveryTimeoutMs,
        maxRecoveryTimeoutMs: Math.max(DEFAULT_BREAKER.maxRecoveryTimeoutMs, row.breakerRecoveryTimeoutMs),
        successThreshold: row.breakerSuccessThreshold,
      },
      health: {
        healthyThreshold: row.healthyThreshold,
        unhealthyThreshold: row.unhealthyThreshold,
        methods: row.healthCheckMethods.map(toMethod),
        path: row.healthCheckPath,
        intervalMs: row.healthCheckIntervalMs,
        timeoutMs: row.healthCheckTimeoutMs,
      },
      requestTimeoutMs: row.requestTimeoutMs,
    },
    instances: row.instances.map((i) => ({
      id: i.instanceId as InstanceId,
      host: i.host,
      port: i.port,
      weight: i.weight,
      enabled: i.enabled,
      draining: i.draining,
      source: i.source === "discovery" ? "discovery" : "manual",
    })),
  };
}

export interface ServiceRepository {
  /** Every service with its instances, by name. */
  list(): Promise<StoredService[]>;
  /** One service with its instances. */
  get(name: string): Promise<StoredService | undefined>;
  /**
   * Stores an instance (creating its service with the defaults if new), in one
   * transaction. An instance of another source with the same id is not
   * touched ("conflict"): discovery never takes over a manual instance.
   */
  registerInstance(service: ServiceName, instance: InstanceConfig, source: InstanceSource): Promise<RegisterResult>;
  /** Deletes an instance of the given source; false when there is none. */
  removeInstance(service: ServiceName, id: InstanceId, source: InstanceSource): Promise<boolean>;
}

const WITH_INSTANCES = { instances: { orderBy: { instanceId: "asc" } } } as const;

export function createServiceRepository(prisma: PrismaClient): ServiceRepository {
  return {
    async list() {
      const rows = await prisma.service.findMany({ include: WITH_INSTANCES, orderBy: { name: "asc" } });
      return rows.map(toStoredService);
    },
    async get(name) {
      const row = await prisma.service.findUnique({ where: { name }, include: WITH_INSTANCES });
      return row === null ? undefined : toStoredService(row);
    },
    registerInstance(service, instance, source) {
      return prisma.$transaction(async (tx): Promise<RegisterResult> => {
        let serviceCreated = false;
        let row = await tx.service.findUnique({ where: { name: service } });
        if (row === null) {
          row = await tx.service.create({ data: { name: service } });
          serviceCreated = true;
        }
        const existing = await tx.instance.findUnique({
          where: { serviceId_instanceId: { serviceId: row.id, instanceId: instance.id } },
        });
        const data = { host: instance.host, port: instance.port, weight: instance.weight };
        let outcome: "created" | "updated" | "unchanged";
        if (existing === null) {
          await tx.instance.create({
            data: { ...data, serviceId: row.id, instanceId: instance.id, enabled: instance.enabled, draining: instance.draining, source },
          });
          outcome = "created";
        } else if (existing.source !== source) {
          return { outcome: "conflict", reason: `instance ${instance.id} of ${service} is managed ${existing.source === "manual" ? "manually" : `by ${existing.source}`}` };
        } else if (existing.host === data.host && existing.port === data.port && existing.weight === data.weight) {
          outcome = "unchanged";
        } else {
          await tx.instance.update({ where: { id: existing.id }, data });
          outcome = "updated";
        }
        const stored = await tx.service.findUniqueOrThrow({ where: { id: row.id }, include: WITH_INSTANCES });
        return { outcome, service: toStoredService(stored), serviceCreated };
      });
    },
    async removeInstance(service, id, source) {
      const { count } = await prisma.instance.deleteMany({ where: { instanceId: id, source, service: { name: service } } });
      return count > 0;
    },
  };
}
