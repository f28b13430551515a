/**
 * The one database client of the process: `createDb(config)` is called once by
 * server/main.ts and handed down. Embedded (PGlite in a worker, see
 * embedded.ts) when no DATABASE_URL is set, else that PostgreSQL server; both
 * are reached through `pg` and Prisma's pg driver adapter, and pending
 * migrations are applied before the client is returned.
 */
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Config } from "../config";
import { redactUrl } from "../config";
import { PrismaClient } from "./generated/client";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "./embedded";
import { applyMigrations, readMigrations, type MigrationResult } from "./migrate";
import { createServiceRepository, type ServiceRepository } from "./services";
import { createStatsRepository, type StatsRepository } from "./stats";
import { createEventRepository, type EventRepository } from "./events";
import { createAuthRepository, type AuthRepository } from "./auth";
import { createServiceWriter, type ServiceWriter } from "./service-writer";

export interface Db {
  readonly prisma: PrismaClient;
  readonly services: ServiceRepository;
  readonly stats: StatsRepository;
  readonly events: EventRepository;
  readonly auth: AuthRepository;
  /**
   * Runs `fn` in one database transaction with writers bound to it (a change
   * and its audit row commit together or not at all). On the embedded
   * database, never await a query made outside `tx` inside `fn`: it would
   * wait for this transaction to end (docs/architecture.md).
   */
  transaction<T>(fn: (tx: { services: ServiceWriter; auth: AuthRepository }) => Promise<T>): Promise<T>;
  readonly kind: "embedded" | "postgres";
  /** Where the data lives, safe to log (no password). */
  readonly location: string;
  readonly migrations: MigrationResult;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /** Directory of migrations (default prisma/migrations). */
  migrationsDir?: string;
  /** Pool size for a PostgreSQL server (the embedded one is fixed). */
  poolSize?: number;
}

export async function createDb(config: Config["database"], options: CreateDbOptions = {}): Promise<Db> {
  let embedded: EmbeddedDatabase | undefined;
  let url: string;
  if (config.kind === "embedded") {
    embedded = await startEmbeddedDatabase(config.dataDir);
    url = embedded.url;
  } else {
    url = config.url;
  }
  const pool = new pg.Pool({
    connectionString: url,
    // The embedded server multiplexes its connections onto ONE PostgreSQL
    // session, message by message: two connections running extended-protocol
    // queries at once can interleave their Parse/Bind/Execute messages and
    // answer the wrong client (seen as a stats flush that never returned).
    // One connection serialises everything; PGlite runs one query at a time
    // anyway, so nothing is lost.
    max: embedded ? 1 : (options.poolSize ?? 10),
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    // A query that hangs (a dead server that keeps the socket open) fails
    // after this long instead of blocking its caller forever.
    query_timeout: 30_000,
  });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on("error", () => undefined);

  let migrations: MigrationResult;
  try {
    const client = await pool.connect();
    try {
      migrations = await applyMigrations(client, readMigrations(options.migrationsDir));
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    await embedded?.stop();
    throw error;
  }

  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closing: Promise<void> | undefined;
  return {
    prisma,
    services: createServiceRepository(prisma),
    stats: createStatsRepository(prisma),
    events: createEventRepository(prisma),
    auth: createAuthRepository(prisma),
    transaction: (fn) => prisma.$transaction((tx) => fn({ services: createServiceWriter(tx), auth: createAuthRepository(tx) })),
    kind: embedded ? "embedded" : "postgres",
    location: embedded ? `embedded PGlite in ${embedded.dataDir}` : `PostgreSQL ${redactUrl(url)}`,
    migrations,
    async ping() {
      await pool.query("SELECT 1");
    },
    close() {
      closing ??= (async () => {
        await prisma.$disconnect().catch(() => undefined);
        await pool.end().catch(() => undefined);
        await embedded?.stop();
      })();
      return closing;
    },
  };
}
