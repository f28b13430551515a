/**
 * Changes to services and instances made by people (dashboard, API, config
 * file). Each runs inside a transaction together with its audit row
 * (Db.transaction), so a change is either stored with its audit trail or not
 * at all. Returns the stored state before and after, for the audit row and
 * for applying the change to the engine.
 */
import type { Prisma, PrismaClient } from "./generated/client";
import { toStoredService, type InstanceSource, type StoredService } from "./services";

type Client = PrismaClient | Prisma.TransactionClient;

/** A conflict or a missing row, for the API to report (CONFLICT / NOT_FOUND). */
export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    readonly code: "NOT_FOUND" | "CONFLICT",
    message: string,
  ) {
    super(message);
  }
}

export interface ServiceFields {
  algorithm: string;
  healthCheckMethods: string[];
  healthCheckPath: string;
  healthCheckIntervalMs: number;
  healthCheckTimeoutMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  breakerFailureThreshold: number;
  breakerRecoveryTimeoutMs: number;
  breakerSuccessThreshold: number;
  requestTimeoutMs: number;
  maxConnectionsPerInstance: number;
}

export interface InstanceFields {
  host: string;
  port: number;
  weight: number;
  enabled: boolean;
  draining: boolean;
}

const WITH_INSTANCES = { instances: { orderBy: { instanceId: "asc" } } } as const;

export function createServiceWriter(client: Client) {
  async function load(name: string): Promise<StoredService> {
    const row = await client.service.findUnique({ where: { name }, include: WITH_INSTANCES });
    if (row === null) throw new StoreError("NOT_FOUND", `no service named ${JSON.stringify(name)}`);
    return toStoredService(row);
  }
  async function serviceId(name: string): Promise<number> {
    const row = await client.service.findUnique({ where: { name }, select: { id: true } });
    if (row === null) throw new StoreError("NOT_FOUND", `no service named ${JSON.stringify(name)}`);
    return row.id;
  }

  return {
    load,
    async createService(name: string, fields: Partial<ServiceFields>): Promise<StoredService> {
      const existing = await client.service.findUnique({ where: { name }, select: { id: true } });
      if (existing !== null) throw new StoreError("CONFLICT", `a service named ${JSON.stringify(name)} exists already`);
      await client.service.create({ data: { name, ...fields } });
      return load(name);
    },
    async updateService(name: string, fields: Partial<ServiceFields>): Promise<{ before: StoredService; after: StoredService }> {
      const before = await load(name);
      await client.service.update({ where: { name }, data: fields });
      return { before, after: await load(name) };
    },
    async deleteService(name: string): Promise<StoredService> {
      const before = await load(name);
      await client.service.delete({ where: { name } });
      return before;
    },
    async addInstance(service: string, id: string, fields: InstanceFields, source: InstanceSource = "manual"): Promise<StoredService> {
      const sid = await serviceId(service);
      const existing = await client.instance.findUnique({ where: { serviceId_instanceId: { serviceId: sid, instanceId: id } }, select: { id: true } });
      if (existing !== null) throw new StoreError("CONFLICT", `instance ${JSON.stringify(id)} of ${service} exists already`);
      const sameAddress = await client.instance.findFirst({ where: { serviceId: sid, host: fields.host, port: fields.port }, select: { instanceId: true } });
      if (sameAddress !== null) {
        throw new StoreError("CONFLICT", `${fields.host}:${fields.port} is already instance ${JSON.stringify(sameAddress.instanceId)} of ${service}`);
      }
      await client.instance.create({ data: { serviceId: sid, instanceId: id, source, ...fields } });
      return load(service);
    },
    async updateInstance(service: string, id: string, fields: Partial<InstanceFields>): Promise<{ before: StoredService; after: StoredService }> {
      const sid = await serviceId(service);
      const before = await load(service);
      const { count } = await client.instance.updateMany({ where: { serviceId: sid, instanceId: id }, data: fields });
      if (count === 0) throw new StoreError("NOT_FOUND", `no instance ${JSON.stringify(id)} in ${service}`);
      return { before, after: await load(service) };
    },
    async removeInstance(service: string, id: string): Promise<StoredService> {
      const sid = await serviceId(service);
      const before = await load(service);
      const { count } = await client.instance.deleteMany({ where: { serviceId: sid, instanceId: id } });
      if (count === 0) throw new StoreError("NOT_FOUND", `no instance ${JSON.stringify(id)} in ${service}`);
      return before;
    },
  };
}

export type ServiceWriter = ReturnType<typeof createServiceWriter>;
