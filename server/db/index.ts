export { createDb, type CreateDbOptions, type Db } from "./client";
export { applyMigrations, readMigrations, type MigrationFile, type MigrationResult } from "./migrate";
export type { InstanceSource, RegisterResult, ServiceRepository, StoredInstance, StoredService } from "./services";
export type { PrismaClient } from "./generated/client";
export type { AuditEntry, AuditRow, AuthRepository, SessionRow, TokenRow, UserRow } from "./auth";
export { StoreError, type InstanceFields, type ServiceFields, type ServiceWriter } from "./service-writer";
export type { EventQuery, EventRepository, EventRow, StoredEvent } from "./events";
export { RESOLUTIONS, type RangeQuery, type Resolution, type SampleRow, type StatsRepository } from "./stats";
