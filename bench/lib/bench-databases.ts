/**
 * Throw-away databases for the chart-query benchmark: the embedded one
 * (PGlite) in a fresh temp dir, and a fresh `alicia_bench_<random>` database on
 * a PostgreSQL server (DATABASE_URL, else the local default), dropped again at
 * the end. Both go through the product's createDb, so migrations, indexes and
 * the Prisma repositories are the product's own.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type Db } from "../../server/db";
import { makeTempDir, removeTempDir } from "./processes";

export const DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

export interface BenchDatabase {
  readonly name: "embedded" | "postgres";
  /** Where it lives, for the report (no password). */
  readonly location: string;
  readonly db: Db;
  /** Closes the client and removes the data (temp dir, or the created database). */
  dispose(): Promise<void>;
}

export async function openEmbedded(): Promise<BenchDatabase> {
  const dataDir = makeTempDir("alicia-bench-chart-");
  try {
    const db = await createDb({ kind: "embedded", dataDir });
    return {
      name: "embedded",
      location: `PGlite in ${dataDir}`,
      db,
      async dispose() {
        await db.close();
        removeTempDir(dataDir);
      },
    };
  } catch (error) {
    removeTempDir(dataDir);
    throw error;
  }
}

function redacted(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password !== "") copy.password = "***";
  return copy.href;
}

async function admin<T>(baseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A fresh database on the server at `baseUrl`, or the reason it cannot be had
 * (unreachable server, no right to create databases), as a string.
 */
export async function openPostgres(baseUrl: string): Promise<BenchDatabase | string> {
  const name = `alicia_bench_${randomBytes(4).toString("hex")}`;
  let serverVersion: number;
  try {
    serverVersion = await admin(baseUrl, async (client) => {
      const version = await client.query<{ server_version_num: string }>("SHOW server_version_num");
      await client.query(`CREATE DATABASE "${name}"`);
      return Number(version.rows[0]?.server_version_num ?? 0);
    });
  } catch (error) {
    return `PostgreSQL at ${redacted(new URL(baseUrl))} not usable: ${error instanceof Error ? error.message : String(error)}`;
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const drop = () =>
    admin(baseUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}"${serverVersion >= 130_000 ? " WITH (FORCE)" : ""}`)).then(() => undefined);
  try {
    const db = await createDb({ kind: "postgres", url: url.href }, { poolSize: 4 });
    return {
      name: "postgres",
      location: `PostgreSQL ${Math.floor(serverVersion / 10_000)} at ${redacted(url)}`,
      db,
      async dispose() {
        await db.close();
        await drop();
      },
    };
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
}
