/**
 * Starts the product twice for the end-to-end tests, the way a user does:
 *  - on the embedded defaults (PGlite under a fresh DATA_DIR, embedded broker);
 *  - on the environment's PostgreSQL (a fresh database) and MQTT broker when
 *    DATABASE_URL / MQTT_URL are given (CI gives them; CI without them fails).
 * A third product (embedded defaults again) serves the specs that register
 * services and send traffic (charts, events), so the first one keeps the
 * fresh "no services yet" state the overview spec checks, in any order.
 * The URLs reach the tests through environment variables.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startServer, type StartedServer } from "./support/server";

export default async function globalSetup(): Promise<() => Promise<void>> {
  const started: StartedServer[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  const embedded = await startServer();
  started.push(embedded);
  process.env.E2E_BASE_URL = embedded.baseUrl;
  process.env.E2E_PROXY_URL = embedded.proxyUrl;
  process.env.E2E_MQTT_URL = embedded.mqttUrl;

  const traffic = await startServer();
  started.push(traffic);
  process.env.E2E_TRAFFIC_BASE_URL = traffic.baseUrl;
  process.env.E2E_TRAFFIC_PROXY_URL = traffic.proxyUrl;
  process.env.E2E_TRAFFIC_MQTT_URL = traffic.mqttUrl;

  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl) {
    const name = `alicia_e2e_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const server = await startServer({ DATABASE_URL: url.toString(), MQTT_URL: process.env.MQTT_URL ?? "" });
    started.push(server);
    process.env.E2E_PG_BASE_URL = server.baseUrl;
    process.env.E2E_PG_DATABASE_URL = url.toString();
    cleanups.push(async () => {
      const drop = new pg.Client({ connectionString: adminUrl });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    });
  } else if (process.env.CI) {
    throw new Error("CI must run the PostgreSQL end-to-end tests: set DATABASE_URL (and MQTT_URL) for the test run");
  }

  return async () => {
    for (const server of started) {
      const code = await server.stop();
      if (code !== 0) console.error(`server exited with ${code} on SIGTERM:\n${server.output()}`);
      if (process.env.E2E_PRINT_LOGS) console.error(`--- ${server.baseUrl}\n${server.output()}`);
    }
    for (const cleanup of cleanups) await cleanup();
  };
}
