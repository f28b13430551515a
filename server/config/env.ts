/**
 * Configuration from the environment, parsed and validated in one place.
 *
 * Every variable the product reads is declared here with its default; README's
 * configuration table mirrors this schema. A bad value fails the start with one
 * line per offending variable, naming it (ConfigError), never a stack trace.
 */
import { z } from "zod";

const port = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be an integer from 0 to 65535`)
    .transform(Number)
    .refine((n) => n >= 0 && n <= 65535, `${name} must be an integer from 0 to 65535`);

const positiveInt = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be an integer from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be an integer from ${min} to ${max}`);

const urlWithSchemes = (name: string, schemes: readonly string[]) =>
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        const url = new URL(value);
        return schemes.includes(url.protocol) && url.hostname !== "";
      } catch {
        return false;
      }
    }, `${name} must be a URL of the form ${schemes.map((s) => `${s}//host[:port]`).join(" or ")}`);

/** A comma-separated list of CIDR ranges, IP addresses or host names (`*.` prefix allowed). */
const hostList = (name: string) =>
  z
    .string()
    .trim()
    .transform((value) => value.split(",").map((item) => item.trim()).filter((item) => item !== ""))
    .refine(
      (items) => items.every((item) => /^(\*\.)?[A-Za-z0-9.-]+$|^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(item)),
      `${name} must be a comma-separated list of CIDR ranges, addresses or host names`,
    );

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const envSchema = z.object({
  NODE_ENV: z.enum(["production", "development", "test"]).default("production"),
  HOST: z.string().trim().min(1).default("0.0.0.0"),
  PORT: port("PORT").default(3000),
  PROXY_PORT: port("PROXY_PORT").default(8080),
  DATABASE_URL: urlWithSchemes("DATABASE_URL", ["postgres:", "postgresql:"]).optional(),
  DATA_DIR: z.string().trim().min(1).default("./data"),
  MQTT_URL: urlWithSchemes("MQTT_URL", ["mqtt:", "mqtts:", "ws:", "wss:", "tcp:", "tls:"]).optional(),
  MQTT_EMBEDDED_PORT: port("MQTT_EMBEDDED_PORT").default(0),
  MQTT_TOPIC_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, "MQTT_TOPIC_PREFIX must be topic levels of letters, digits, _ or - (no wildcards)")
    .default("alicia"),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  SHUTDOWN_TIMEOUT_MS: positiveInt("SHUTDOWN_TIMEOUT_MS", 0, 600_000).default(10_000),
  CONFIG_FILE: z.string().trim().min(1).optional(),
  ADMIN_PASSWORD: z.string().min(12, "ADMIN_PASSWORD must be at least 12 characters").max(256).optional(),
  SESSION_IDLE_TIMEOUT_MS: positiveInt("SESSION_IDLE_TIMEOUT_MS", 60_000, 7 * 86_400_000).default(30 * 60_000),
  SESSION_MAX_AGE_MS: positiveInt("SESSION_MAX_AGE_MS", 60_000, 30 * 86_400_000).default(12 * 3_600_000),
  DISCOVERY_ALLOWED_HOSTS: hostList("DISCOVERY_ALLOWED_HOSTS").default([]),
  DISCOVERY_DENIED_HOSTS: hostList("DISCOVERY_DENIED_HOSTS").default([]),
  DISCOVERY_MAX_PER_SECOND: positiveInt("DISCOVERY_MAX_PER_SECOND", 1, 100_000).default(50),
});

export interface Config {
  nodeEnv: "production" | "development" | "test";
  host: string;
  port: number;
  proxyPort: number;
  database: { kind: "embedded"; dataDir: string } | { kind: "postgres"; url: string };
  mqtt: { kind: "embedded"; port: number; topicPrefix: string } | { kind: "external"; url: string; topicPrefix: string };
  logLevel: (typeof LOG_LEVELS)[number];
  /** Services and instances declared as code (YAML or JSON), applied at start. */
  configFile: string | undefined;
  shutdownTimeoutMs: number;
  auth: {
    /** Password of the first admin, used only when no user exists yet. */
    adminPassword: string | undefined;
    sessionIdleTimeoutMs: number;
    sessionMaxAgeMs: number;
  };
  discovery: {
    /** Hosts discovery may register (empty: any host not denied). */
    allowedHosts: string[];
    /** Hosts discovery may never register, besides link-local and cloud metadata addresses. */
    deniedHosts: string[];
    /** Registrations accepted per second (token bucket, burst of twice that). */
    maxPerSecond: number;
  };
}

/** Thrown for an invalid environment; `message` is one line per variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

/** Parses the environment. Empty strings count as unset, like most shells' `VAR= cmd`. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") present[key] = value;
  }
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? "environment");
      const given = present[variable];
      const shown = given === undefined ? "" : ` (got ${JSON.stringify(given.length > 60 ? `${given.slice(0, 60)}…` : given)})`;
      const message = issue.message.startsWith(variable) ? issue.message : `${variable}: ${issue.message}`;
      return `invalid configuration: ${message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    proxyPort: e.PROXY_PORT,
    database: e.DATABASE_URL ? { kind: "postgres", url: e.DATABASE_URL } : { kind: "embedded", dataDir: e.DATA_DIR },
    mqtt: e.MQTT_URL
      ? { kind: "external", url: e.MQTT_URL, topicPrefix: e.MQTT_TOPIC_PREFIX }
      : { kind: "embedded", port: e.MQTT_EMBEDDED_PORT, topicPrefix: e.MQTT_TOPIC_PREFIX },
    logLevel: e.LOG_LEVEL,
    configFile: e.CONFIG_FILE,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    auth: {
      adminPassword: e.ADMIN_PASSWORD,
      sessionIdleTimeoutMs: e.SESSION_IDLE_TIMEOUT_MS,
      sessionMaxAgeMs: e.SESSION_MAX_AGE_MS,
    },
    discovery: {
      allowedHosts: e.DISCOVERY_ALLOWED_HOSTS,
      deniedHosts: e.DISCOVERY_DENIED_HOSTS,
      maxPerSecond: e.DISCOVERY_MAX_PER_SECOND,
    },
  };
}

/** Hides the password of a connection URL for logs. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(unparseable url)";
  }
}
