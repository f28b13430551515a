import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, redactUrl } from "./env";

describe("loadConfig", () => {
  it("applies the documented defaults to an empty environment", () => {
    const config = loadConfig({});
    expect(config).toEqual({
      nodeEnv: "production",
      host: "0.0.0.0",
      port: 3000,
      proxyPort: 8080,
      database: { kind: "embedded", dataDir: "./data" },
      mqtt: { kind: "embedded", port: 0, topicPrefix: "alicia" },
      logLevel: "info",
      configFile: undefined,
      shutdownTimeoutMs: 10_000,
      auth: { adminPassword: undefined, sessionIdleTimeoutMs: 1_800_000, sessionMaxAgeMs: 43_200_000 },
      discovery: { allowedHosts: [], deniedHosts: [], maxPerSecond: 50 },
    });
  });

  it("uses the external database and broker when their URLs are given", () => {
    const config = loadConfig({
      DATABASE_URL: "postgresql://u:p@db.example:5432/lb",
      MQTT_URL: "mqtts://broker.example:8883",
      MQTT_TOPIC_PREFIX: "prod/alicia",
      PORT: "4000",
      PROXY_PORT: "0",
    });
    expect(config.database).toEqual({ kind: "postgres", url: "postgresql://u:p@db.example:5432/lb" });
    expect(config.mqtt).toEqual({ kind: "external", url: "mqtts://broker.example:8883", topicPrefix: "prod/alicia" });
    expect(config.port).toBe(4000);
    expect(config.proxyPort).toBe(0);
  });

  it("parses discovery host lists", () => {
    expect(loadConfig({ DISCOVERY_ALLOWED_HOSTS: "10.0.0.0/8, 127.0.0.1,*.svc.local", DISCOVERY_DENIED_HOSTS: "fd00::/8" }).discovery).toEqual({
      allowedHosts: ["10.0.0.0/8", "127.0.0.1", "*.svc.local"],
      deniedHosts: ["fd00::/8"],
      maxPerSecond: 50,
    });
  });

  it("treats empty strings as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", PORT: "" }).database.kind).toBe("embedded");
  });

  const bad: [string, Record<string, string>][] = [
    ["PORT", { PORT: "abc" }],
    ["PORT", { PORT: "70000" }],
    ["PROXY_PORT", { PROXY_PORT: "-1" }],
    ["DATABASE_URL", { DATABASE_URL: "not a url" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://localhost/db" }],
    ["MQTT_URL", { MQTT_URL: "http://broker" }],
    ["MQTT_EMBEDDED_PORT", { MQTT_EMBEDDED_PORT: "1.5" }],
    ["MQTT_TOPIC_PREFIX", { MQTT_TOPIC_PREFIX: "alicia/#" }],
    ["LOG_LEVEL", { LOG_LEVEL: "loud" }],
    ["SHUTDOWN_TIMEOUT_MS", { SHUTDOWN_TIMEOUT_MS: "soon" }],
    ["DISCOVERY_DENIED_HOSTS", { DISCOVERY_DENIED_HOSTS: "10.0.0.0/8, bad host!" }],
    ["DISCOVERY_MAX_PER_SECOND", { DISCOVERY_MAX_PER_SECOND: "0" }],
    ["ADMIN_PASSWORD", { ADMIN_PASSWORD: "short" }],
    ["SESSION_IDLE_TIMEOUT_MS", { SESSION_IDLE_TIMEOUT_MS: "10" }],
  ];
  it.each(bad)("rejects a bad %s with one line naming it", (variable, env) => {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^invalid configuration: ${variable}\\b`));
    expect(problems[0]).not.toContain("\n");
  });

  it("reports every bad variable at once", () => {
    expect(() => loadConfig({ PORT: "x", PROXY_PORT: "y" })).toThrow(/PORT[\s\S]*PROXY_PORT/);
  });

  it("redacts passwords from URLs it logs", () => {
    expect(redactUrl("postgresql://user:secret@host:5432/db")).toBe("postgresql://user:***@host:5432/db");
    expect(redactUrl("postgresql://host/db")).toBe("postgresql://host/db");
  });
});
