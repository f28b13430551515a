/**
 * Services and instances: rows ↔ engine configuration. Prisma types stay in
 * this folder; callers get engine types (ServiceConfig, InstanceConfig).
 */
import type { Algorithm, HealthCheckMethod, InstanceConfig, InstanceId, ServiceConfig, ServiceName } from "../engine";
import { ALGORITHMS, DEFAULT_BREAKER, HEALTH_CHECK_METHODS } from "../engine";
import type { PrismaClient } from "./generated/client";

export interface StoredService {
  readonly config: ServiceConfig;
  readonly instances: readonly InstanceConfig[];
}

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

function toStored(row: ServiceRow & { instances: InstanceRow[] }): StoredService {
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
    })),
  };
}

export interface ServiceRepository {
  /** Every service with its instances, by name. */
  list(): Promise<StoredService[]>;
}

export function createServiceRepository(prisma: PrismaClient): ServiceRepository {
  return {
    async list() {
      const rows = await prisma.service.findMany({
        include: { instances: { orderBy: { instanceId: "asc" } } },
        orderBy: { name: "asc" },
      });
      return rows.map(toStored);
    },
  };
}
