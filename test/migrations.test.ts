/**
 * Migrations apply once on an empty database, are a no-op the second time,
 * keep Prisma's `_prisma_migrations` bookkeeping, and a failing migration
 * leaves nothing behind. Run against the embedded database and PostgreSQL.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, readMigrations } from "../server/db";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "../server/db/embedded";
import { createTestDatabase, externalUrl, type TestDatabase } from "./support/external";

const pgUrl = externalUrl("DATABASE_URL");

interface Target {
  name: string;
  url(): string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
}

function embeddedTarget(): Target {
  let db: EmbeddedDatabase | undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), "alicia-migrate-"));
  return {
    name: "embedded PGlite",
    url: () => db!.url,
    async setup() {
      db = await startEmbeddedDatabase(dir);
    },
    async teardown() {
      await db?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresTarget(adminUrl: string): Target {
  let db: TestDatabase | undefined;
  return {
    name: "PostgreSQL",
    url: () => db!.url,
    async setup() {
      db = await createTestDatabase(adminUrl);
    },
    async teardown() {
      await db?.drop();
    },
  };
}

const targets: Target[] = [embeddedTarget(), ...(pgUrl ? [postgresTarget(pgUrl)] : [])];

describe.each(targets)("migrations on $name", (target) => {
  let client: pg.Client;
  beforeAll(async () => {
    await target.setup();
    client = new pg.Client({ connectionString: target.url() });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await target.teardown();
  });

  it("applies every migration once on an empty database, recording Prisma's checksum", async () => {
    const migrations = readMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    const first = await applyMigrations(client, migrations);
    expect(first.applied).toEqual(migrations.map((m) => m.name));
    expect(first.alreadyApplied).toEqual([]);

    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
    for (const [i, row] of rows.entries()) {
      const file = readFileSync(path.join("prisma", "migrations", row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(file).digest("hex"));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
      expect(migrations[i]!.checksum).toBe(row.checksum);
    }
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(["_prisma_migrations", "events", "instances", "services", "stat_samples"]),
    );
  });

  it("is a no-op the second time", async () => {
    const second = await applyMigrations(client, readMigrations());
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(readMigrations().map((m) => m.name));
    expect(second.modified).toEqual([]);
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM "_prisma_migrations"');
    expect(Number(rows[0]!.n)).toBe(readMigrations().length);
  });

  it("rolls a failing migration back completely and records nothing for it", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "alicia-bad-migration-"));
    try {
      for (const m of readMigrations()) {
        mkdirSync(path.join(dir, m.name));
        writeFileSync(path.join(dir, m.name, "migration.sql"), m.sql);
      }
      mkdirSync(path.join(dir, "99990101000000_broken"));
      writeFileSync(
        path.join(dir, "99990101000000_broken", "migration.sql"),
        'CREATE TABLE "half_done" (id INT);\nSELECT * FROM "no_such_table";\n',
      );
      await expect(applyMigrations(client, readMigrations(dir))).rejects.toThrow(/99990101000000_broken failed/);
      const table = await client.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
      expect(table.rowCount).toBe(0);
      const row = await client.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '99990101000000_broken'`);
      expect(row.rowCount).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports an applied migration whose file changed, without re-running it", async () => {
    const changed = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
    const result = await applyMigrations(client, changed);
    expect(result.applied).toEqual([]);
    expect(result.modified).toEqual([changed[0]!.name]);
  });
});
