/**
 * Applies pending migrations from prisma/migrations at start.
 *
 * `prisma migrate deploy` cannot run here (no schema-engine binary, and its
 * driver-adapter path fails on PostgreSQL, prisma/orm#27403), so this does the
 * same job with the same bookkeeping: Prisma's `_prisma_migrations` table, the
 * SHA-256 checksum of each migration.sql, one row per applied migration. A user
 * running the Prisma CLI against the database sees the same state.
 *
 * Each migration runs in its own transaction together with its bookkeeping
 * row, so a failing migration leaves no trace. A session advisory lock keeps
 * two processes starting at once from applying the same migration twice.
 * Applied migrations whose file changed are reported, never re-run.
 */
import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { ClientBase } from "pg";

export interface MigrationFile {
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface MigrationResult {
  readonly applied: readonly string[];
  readonly alreadyApplied: readonly string[];
  /** Applied migrations whose migration.sql no longer matches the recorded checksum. */
  readonly modified: readonly string[];
}

/** Prisma's own DDL for its bookkeeping table (schema-engine, sql-migration-connector). */
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Arbitrary constant naming this product's migration lock (pg_advisory_lock key). */
const MIGRATION_LOCK_KEY = 72_707_369;

export const DEFAULT_MIGRATIONS_DIR = path.resolve(import.meta.dirname, "..", "..", "prisma", "migrations");

export function readMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((entry) => statSync(path.join(dir, entry)).isDirectory())
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export async function applyMigrations(client: ClientBase, migrations: readonly MigrationFile[]): Promise<MigrationResult> {
  const applied: string[] = [];
  const alreadyApplied: string[] = [];
  const modified: string[] = [];
  await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
  try {
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
    );
    const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null);
    if (failed.length > 0) {
      throw new Error(
        `migration ${failed.map((row) => row.migration_name).join(", ")} failed earlier and was not rolled back; resolve it (prisma migrate resolve) before starting`,
      );
    }
    const done = new Map(rows.filter((row) => row.finished_at !== null).map((row) => [row.migration_name, row.checksum]));
    for (const migration of migrations) {
      const checksum = done.get(migration.name);
      if (checksum !== undefined) {
        alreadyApplied.push(migration.name);
        if (checksum !== migration.checksum) modified.push(migration.name);
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`migration ${migration.name} failed: ${reason}`, { cause: error });
      }
      applied.push(migration.name);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
  }
  return { applied, alreadyApplied, modified };
}
