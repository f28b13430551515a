/**
 * The environment's real PostgreSQL and MQTT broker, given to the test run as
 * DATABASE_URL and MQTT_URL. Without them the tests that need them are
 * skipped locally and FAIL under CI (CI must run them).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export function externalUrl(name: "DATABASE_URL" | "MQTT_URL"): string | undefined {
  const value = process.env[name];
  if (value) return value;
  if (process.env.CI) throw new Error(`CI must run the ${name} integration tests: set ${name} for the test run`);
  return undefined;
}

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the external PostgreSQL server. */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `alicia_test_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
