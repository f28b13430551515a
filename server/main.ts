/**
 * The load balancer process: one Node process, three faces (DESIGN.md).
 *
 * Start order: config → dashboard port (liveness answers at once, readiness
 * says what is still starting) → database (pending migrations applied) →
 * engine loaded from the database → MQTT (embedded broker unless MQTT_URL) →
 * proxy listener → Next.js pages and /api/trpc. SIGTERM/SIGINT stop in reverse:
 * not ready, stop accepting, drain in-flight proxied requests (bounded by
 * SHUTDOWN_TIMEOUT_MS), close the broker connection and the database, exit 0.
 *
 *   node --import tsx server/main.ts [--dev]
 */
import { randomInt } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { pino, type Logger } from "pino";
import { readFileSync } from "node:fs";
import { ConfigError, formatOf, loadConfig, parseConfigDocument, type Config, type ConfigDocument } from "./config";
import { createDb, type Db } from "./db";
import { createEngine, seededRng, type Clock, type Engine } from "./engine";
import { createAdminServer, type AdminServer } from "./http/admin-server";
import { createMetrics, type LatencySample } from "./http/metrics";
import {
  connectMqtt,
  createHostPolicy,
  publishStats,
  startDiscovery,
  startEmbeddedBroker,
  startEventPublisher,
  startHeartbeats,
  type Discovery,
  type EmbeddedBroker,
  type EventPublisher,
  type Heartbeats,
  type MqttConnection,
} from "./mqtt";
import { createAdminOperations } from "./admin";
import { SignInThrottle, createAuthService, ensureFirstAdmin, type AuthService } from "./auth";
import { createHealthChecker, type HealthChecker } from "./health";
import { createHostPolicy as createInstanceHostPolicy } from "./net";
import { createProxyServer, type ProxyServer } from "./proxy";
import {
  createStatsRecorder,
  queryInstanceSeries,
  querySeries,
  runMaintenance,
  startEventStore,
  type EventStore,
  type StatsRecorder,
} from "./stats";
import { getRuntime, setRuntime, type Readiness } from "./runtime";

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ENGINE_TICK_MS = 250;
const DB_PING_INTERVAL_MS = 5_000;

function loadConfigOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`${problem}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function loadEngine(engine: Engine, db: Db): Promise<number> {
  const services = await db.services.list();
  for (const service of services) {
    engine.upsertService(service.config);
    for (const instance of service.instances) engine.upsertInstance(service.config.name, instance);
  }
  return services.length;
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  let declared: ConfigDocument | undefined;
  if (config.configFile !== undefined) {
    try {
      declared = parseConfigDocument(readFileSync(config.configFile, "utf8"), formatOf(config.configFile), `CONFIG_FILE ${config.configFile}`);
    } catch (error) {
      process.stderr.write(`invalid configuration: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
  }
  const dev = process.argv.includes("--dev");
  const log: Logger = pino({ level: config.logLevel, base: { service: "load_balancer" } });

  let phase = "starting";
  let dbReachable = true;
  let db: Db | undefined;
  let broker: EmbeddedBroker | undefined;
  let mqtt: MqttConnection | undefined;
  let publisher: EventPublisher | undefined;
  let discovery: Discovery | undefined;
  let heartbeats: Heartbeats | undefined;
  let healthChecker: HealthChecker | undefined;
  let recorder: StatsRecorder | undefined;
  let eventStore: EventStore | undefined;
  let proxy: ProxyServer | undefined;
  let admin: AdminServer | undefined;
  const timers: NodeJS.Timeout[] = [];

  const readiness: Readiness = {
    reason() {
      if (phase !== "ready") return phase;
      if (!dbReachable) return "database unreachable";
      if (mqtt && !mqtt.isConnected()) return "MQTT broker disconnected";
      return undefined;
    },
  };

  let stopping: Promise<void> | undefined;
  async function stop(signal: string): Promise<void> {
    phase = "shutting down";
    log.info({ signal }, `${signal}: shutting down`);
    for (const timer of timers) clearInterval(timer);
    if (proxy) {
      const cut = await proxy.drain(config.shutdownTimeoutMs);
      if (cut > 0) log.warn({ cut }, `proxy: ${cut} request(s) still in flight after ${config.shutdownTimeoutMs} ms were cut`);
      else log.info("proxy: drained");
    }
    await admin?.close();
    await healthChecker?.stop();
    await recorder?.stop(3_000);
    await eventStore?.stop(2_000);
    await discovery?.stop();
    heartbeats?.stop();
    if (publisher) {
      // Events of the shutdown itself (drained instances, ...) go out before we disconnect.
      if (!(await publisher.flushed(2_000))) log.warn(publisher.stats(), "MQTT: events still queued at shutdown");
      publisher.stop();
    }
    await mqtt?.close().catch((error: unknown) => log.warn({ err: error }, "MQTT close failed"));
    await broker?.close();
    await db?.close();
    setRuntime(undefined);
    log.info("stopped");
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  const clock: Clock = { now: () => performance.now() };
  const engine = createEngine({ clock, rng: seededRng(randomInt(0, 2 ** 32)) });

  try {
    let latestSamples: LatencySample[] = [];
    const registry = createMetrics({
      engine,
      proxyInFlight: () => proxy?.inFlight() ?? 0,
      latency: () => latestSamples,
      statsBuffer: () => recorder?.counts(),
      eventStore: () => eventStore?.counts(),
      mqtt: () => {
        if (!mqtt || !publisher) return undefined;
        return { connected: mqtt.isConnected(), ...publisher.stats() };
      },
      discovery: () => (discovery ? { applied: discovery.applied(), rejected: discovery.rejected() } : undefined),
    });
    const pages: { auth?: AuthService } = {};
    admin = createAdminServer({ readiness, metrics: registry, auth: () => pages.auth });
    const adminAddress = await admin.listen(config.port, config.host);

    phase = "starting: database";
    db = await createDb(config.database);
    const { applied, alreadyApplied, modified } = db.migrations;
    log.info(
      `database: ${db.location} (migrations: ${applied.length} applied, ${alreadyApplied.length} already applied)`,
    );
    if (modified.length > 0) log.warn({ modified }, "applied migrations whose files changed since (not re-run)");

    const firstAdmin = await ensureFirstAdmin(db, config.auth.adminPassword);
    if (firstAdmin?.generatedPassword !== undefined) {
      // Printed once, on stderr, outside the JSON log stream; never stored in clear.
      process.stderr.write(
        `\n  First start: created the user "admin" with the password\n\n      ${firstAdmin.generatedPassword}\n\n  Sign in and change it; it is not shown again. (Set ADMIN_PASSWORD to choose it.)\n\n`,
      );
    } else if (firstAdmin !== undefined) {
      log.info('auth: created the user "admin" with the password from ADMIN_PASSWORD');
    }

    phase = "starting: engine";
    const serviceCount = await loadEngine(engine, db);
    timers.push(setInterval(() => engine.tick(), ENGINE_TICK_MS));
    log.info(`engine: ${serviceCount} service(s) loaded`);

    phase = "starting: MQTT";
    let mqttUrl: string;
    if (config.mqtt.kind === "embedded") {
      broker = await startEmbeddedBroker(config.mqtt.port);
      mqttUrl = broker.url;
      log.info(`MQTT: embedded broker listening on ${broker.url} (set MQTT_URL to use another broker)`);
    } else {
      mqttUrl = config.mqtt.url;
    }
    mqtt = await connectMqtt({ url: mqttUrl, topicPrefix: config.mqtt.topicPrefix });
    log.info(`MQTT: connected to ${config.mqtt.kind === "embedded" ? "the embedded broker" : mqttUrl}, topic prefix "${config.mqtt.topicPrefix}"`);
    const connection = mqtt;
    connection.client.on("offline", () => log.warn("MQTT: broker connection lost; reconnecting"));
    connection.client.on("reconnect", () => log.debug("MQTT: reconnecting"));
    connection.client.on("connect", () => log.info("MQTT: connected"));
    publisher = startEventPublisher({
      engine,
      connection,
      toWallClockMs: (at) => Date.now() - (clock.now() - at),
      onOverflow: (dropped) => {
        if (dropped === 1 || dropped % 1_000 === 0) log.warn({ dropped }, "MQTT: event queue full while the broker is unreachable; oldest events dropped");
      },
    });
    discovery = startDiscovery({
      connection,
      db,
      engine,
      hostPolicy: createHostPolicy({ allowed: config.discovery.allowedHosts, denied: config.discovery.deniedHosts }),
      maxPerSecond: config.discovery.maxPerSecond,
      log,
    });
    heartbeats = startHeartbeats({ connection, engine, now: () => clock.now() });
    log.info(`MQTT: events on ${config.mqtt.topicPrefix}/load_balancer/#, discovery on ${discovery.topic}`);

    phase = "starting: health checks and stats";
    const heartbeatSource = heartbeats;
    healthChecker = createHealthChecker({
      engine,
      heartbeatStatus: (service, instance) => heartbeatSource.status(service, instance),
      log,
    });
    healthChecker.start();
    const toWallClockMs = (at: number) => Date.now() - (clock.now() - at);
    eventStore = startEventStore({
      engine,
      db,
      toWallClockMs,
      onFlushError: (error: unknown) => log.warn({ err: error }, "events: database write failed; kept in memory and retried"),
    });
    let writtenAtLastFailure = -1;
    recorder = createStatsRecorder({
      engine,
      db,
      onFlushError: (error: unknown) => {
        // Once per outage: the first failure after something was written.
        const written = recorder?.counts().written ?? 0;
        if (written === writtenAtLastFailure) return;
        writtenAtLastFailure = written;
        log.warn({ err: error, buffered: recorder?.counts().buffered }, "stats: database write failed; samples kept in memory and retried");
      },
    });
    const liveRecorder = recorder;
    const mqttConnection = connection;
    liveRecorder.onSamples((rows) => {
      latestSamples = rows.map((row) => ({
        service: row.serviceName,
        instance: row.instanceId,
        requestsPerSecond: row.throughputRps,
        p50Ms: row.p50Ms,
        p95Ms: row.p95Ms,
        p99Ms: row.p99Ms,
      }));
      const timestamp = Date.now() / 1000;
      const totals = new Map(engine.listServices().map((s) => [s.name as string, s.instances.reduce((sum, i) => sum + i.totalRequests, 0)]));
      publishStats(
        mqttConnection,
        rows
          .filter((row) => row.instanceId === "")
          .map((row) => ({
            service_name: row.serviceName,
            algorithm: row.algorithm,
            total_requests: totals.get(row.serviceName) ?? 0,
            active_connections: row.activeConnections,
            healthy_instances: row.healthyInstances,
            unhealthy_instances: row.unhealthyInstances,
            average_response_time: row.avgResponseMs / 1000,
            interval_ms: row.intervalMs,
            interval_requests: row.totalRequests,
            interval_failed_requests: row.failedRequests,
            p50_ms: row.p50Ms,
            p95_ms: row.p95Ms,
            p99_ms: row.p99Ms,
            throughput_rps: row.throughputRps,
            timestamp,
          })),
      );
    });
    liveRecorder.start();
    const statsDb = db;
    const maintain = () => {
      if (liveRecorder.counts().buffered > 0) return; // roll up only what is written
      runMaintenance(statsDb, Date.now()).then(
        (result) => log.debug(result, "stats: roll-up and retention done"),
        (error: unknown) => log.warn({ err: error }, "stats: roll-up or retention failed; retried next minute"),
      );
    };
    maintain();
    timers.push(setInterval(maintain, 60_000));

    phase = "starting: proxy";
    proxy = createProxyServer({ engine, clock });
    const proxyAddress = await proxy.listen(config.proxyPort, config.host);
    log.info(`proxy: listening on http://${config.host}:${proxyAddress.port} (/{service}/{path})`);

    const ownDb = db;
    timers.push(
      setInterval(() => {
        ownDb.ping().then(
          () => (dbReachable = true),
          () => (dbReachable = false),
        );
      }, DB_PING_INTERVAL_MS),
    );

    const store = eventStore;
    const signInThrottle = new SignInThrottle();
    const authService = createAuthService(db, signInThrottle, { idleTimeoutMs: config.auth.sessionIdleTimeoutMs, maxAgeMs: config.auth.sessionMaxAgeMs });
    pages.auth = authService;
    const readDb = db;
    setRuntime({
      config,
      log,
      db,
      engine,
      mqtt,
      readiness,
      startedAt: new Date(),
      stats: {
        live: () => liveRecorder.live(),
        liveHistory: () => liveRecorder.liveHistory(),
        onLive: (listener) => liveRecorder.onLive(listener),
        series: (query) => querySeries(readDb, { ...query, now: Date.now() }),
        instanceSeries: (query) => queryInstanceSeries(readDb, { ...query, now: Date.now() }),
      },
      auth: authService,
      signInThrottle,
      admin: createAdminOperations({
        db,
        engine,
        hostPolicy: createInstanceHostPolicy({ allowed: [], denied: config.discovery.deniedHosts }),
        auth: authService,
      }),
      events: {
        recent: () => store.recent(),
        onEvent: (listener) => store.onEvent(listener),
        list: (query) => readDb.events.list(query),
      },
    });

    if (declared !== undefined) {
      const changed = await getRuntime().admin.applyConfig({ principal: { kind: "user", name: "config-file", role: "admin" }, address: null }, declared);
      log.info(`config: ${config.configFile ?? ""} applied (${changed.length} service(s) changed: ${changed.join(", ") || "none"})`);
    }

    phase = "starting: dashboard";
    const app = next({ dev, dir: PROJECT_ROOT, hostname: config.host, port: adminAddress.port });
    await app.prepare();
    const handle = app.getRequestHandler();
    admin.setNextHandler((req, res) => handle(req, res));
    phase = "ready";
    log.info(`dashboard: http://${config.host}:${adminAddress.port} (admin API /api/trpc, /healthz, /readyz, /metrics)`);
  } catch (error) {
    if (stopping) return;
    log.fatal(`start failed: ${error instanceof Error ? error.message : String(error)}`);
    await stop("start failure").catch(() => undefined);
    process.exit(1);
  }
}

await main();
