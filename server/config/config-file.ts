/**
 * Configuration as code: services and instances declared in a file
 * (CONFIG_FILE, YAML or JSON), applied idempotently at start, and the
 * current configuration exported in the same shape from the dashboard/API.
 *
 *   services:
 *     - name: orders
 *       algorithm: least_connections
 *       healthCheck: { methods: [http], path: /health, intervalMs: 30000, timeoutMs: 5000, healthyThreshold: 2, unhealthyThreshold: 3 }
 *       breaker: { failureThreshold: 5, recoveryTimeoutMs: 60000, successThreshold: 3 }
 *       requestTimeoutMs: 30000
 *       maxConnectionsPerInstance: 100
 *       instances:
 *         - { id: orders-1, host: 10.0.0.5, port: 8080, weight: 2 }
 *
 * A declared service converges to the file: settings as given (omitted ones
 * keep their defaults), its manual instances exactly those listed. Services
 * not in the file, and instances found by service discovery, are left alone.
 * The whole file is validated before anything is applied.
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { z } from "zod";

const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const RESERVED = new Set(["__proto__", "prototype", "constructor"]);
const safeName = (pattern: RegExp, what: string) =>
  z.string().regex(pattern, `${what} may contain letters, digits, ".", "_", "-"`).refine((v) => !RESERVED.has(v), `${what} is reserved`);

const instanceSchema = z
  .object({
    id: safeName(INSTANCE_ID, "an instance id"),
    host: z.string().min(1).max(253).regex(/^[A-Za-z0-9.:-]+$/, "a host is an IP address or a host name"),
    port: z.number().int().min(1).max(65_535),
    weight: z.number().int().min(0).max(10_000).default(1),
    enabled: z.boolean().default(true),
    draining: z.boolean().default(false),
  })
  .strict();

const serviceSchema = z
  .object({
    name: safeName(SERVICE_NAME, "a service name"),
    algorithm: z
      .enum(["round_robin", "least_connections", "weighted_round_robin", "random", "power_of_two_choices", "least_response_time", "consistent_hash"])
      .default("round_robin"),
    healthCheck: z
      .object({
        methods: z.array(z.enum(["http", "tcp", "mqtt"])).min(1).max(3).optional(),
        path: z.string().startsWith("/").max(512).optional(),
        intervalMs: z.number().int().min(100).max(86_400_000).optional(),
        timeoutMs: z.number().int().min(10).max(600_000).optional(),
        healthyThreshold: z.number().int().min(1).max(1_000).optional(),
        unhealthyThreshold: z.number().int().min(1).max(1_000).optional(),
      })
      .strict()
      .default({}),
    breaker: z
      .object({
        failureThreshold: z.number().int().min(1).max(1_000_000).optional(),
        recoveryTimeoutMs: z.number().int().min(100).max(86_400_000).optional(),
        successThreshold: z.number().int().min(1).max(1_000_000).optional(),
      })
      .strict()
      .default({}),
    requestTimeoutMs: z.number().int().min(1).max(3_600_000).optional(),
    maxConnectionsPerInstance: z.number().int().min(1).max(1_000_000).optional(),
    instances: z.array(instanceSchema).max(10_000).default([]),
  })
  .strict()
  .superRefine((service, ctx) => {
    const ids = new Set<string>();
    const addresses = new Set<string>();
    for (const [i, instance] of service.instances.entries()) {
      if (ids.has(instance.id)) ctx.addIssue({ code: "custom", path: ["instances", i, "id"], message: `instance ${instance.id} is listed twice` });
      const address = `${instance.host}:${instance.port}`;
      if (addresses.has(address)) ctx.addIssue({ code: "custom", path: ["instances", i], message: `${address} is listed twice` });
      ids.add(instance.id);
      addresses.add(address);
    }
  });

export const configDocumentSchema = z
  .object({ services: z.array(serviceSchema).max(1_000).default([]) })
  .strict()
  .superRefine((doc, ctx) => {
    const names = new Set<string>();
    for (const [i, service] of doc.services.entries()) {
      if (names.has(service.name)) ctx.addIssue({ code: "custom", path: ["services", i, "name"], message: `service ${service.name} is listed twice` });
      names.add(service.name);
    }
  });

export type ConfigDocument = z.infer<typeof configDocumentSchema>;
export type ConfigFormat = "yaml" | "json";

export class ConfigFileError extends Error {
  override readonly name = "ConfigFileError";
}

/** Parses and validates a configuration document; errors name the path of each problem. */
export function parseConfigDocument(text: string, format: ConfigFormat, source = "configuration"): ConfigDocument {
  let raw: unknown;
  try {
    raw = format === "json" ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigFileError(`${source}: not valid ${format.toUpperCase()}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = configDocumentSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(document)"}: ${issue.message}`);
    throw new ConfigFileError(`${source}: ${problems.join("; ")}`);
  }
  return parsed.data;
}

export function formatOf(path: string): ConfigFormat {
  return /\.json$/i.test(path) ? "json" : "yaml";
}

export function stringifyConfigDocument(doc: ConfigDocument, format: ConfigFormat): string {
  return format === "json" ? `${JSON.stringify(doc, null, 2)}\n` : stringifyYaml(doc);
}
