/** Input schemas shared by the admin routers: names, hosts, weights, ports. */
import { z } from "zod";
import { ALGORITHMS, HEALTH_CHECK_METHODS, INSTANCE_ID_PATTERN, MAX_WEIGHT, RESERVED_NAMES, SERVICE_NAME_PATTERN } from "../engine";
import { ROLES } from "../auth";

const named = (pattern: RegExp, what: string) =>
  z
    .string()
    .regex(pattern, `${what} may contain letters, digits, ".", "_" and "-", starting with a letter or digit`)
    .refine((v) => !RESERVED_NAMES.has(v), `${what} is a reserved name`);

export const serviceNameInput = named(SERVICE_NAME_PATTERN, "a service name");
export const instanceIdInput = named(INSTANCE_ID_PATTERN, "an instance id");
export const usernameInput = z.string().regex(/^[a-z][a-z0-9._-]{1,63}$/, "a username is 2-64 lowercase letters, digits, '.', '_' or '-', starting with a letter");
export const passwordInput = z.string().min(12, "a password has at least 12 characters").max(256);
export const roleInput = z.enum(ROLES);
export const algorithmInput = z.enum(ALGORITHMS);
export const hostInput = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:-]+$/, "a host is an IP address or a host name");
export const portInput = z.number().int().min(1, "a port is from 1 to 65535").max(65_535, "a port is from 1 to 65535");
export const weightInput = z.number().int().min(0, `a weight is from 0 to ${MAX_WEIGHT}`).max(MAX_WEIGHT, `a weight is from 0 to ${MAX_WEIGHT}`);

export const serviceSettingsInput = z
  .object({
    algorithm: algorithmInput,
    healthCheckMethods: z.array(z.enum(HEALTH_CHECK_METHODS)).min(1).max(3),
    healthCheckPath: z.string().startsWith("/").max(512),
    healthCheckIntervalMs: z.number().int().min(100).max(86_400_000),
    healthCheckTimeoutMs: z.number().int().min(10).max(600_000),
    healthyThreshold: z.number().int().min(1).max(1_000),
    unhealthyThreshold: z.number().int().min(1).max(1_000),
    breakerFailureThreshold: z.number().int().min(1).max(1_000_000),
    breakerRecoveryTimeoutMs: z.number().int().min(100).max(86_400_000),
    breakerSuccessThreshold: z.number().int().min(1).max(1_000_000),
    requestTimeoutMs: z.number().int().min(1).max(3_600_000),
    maxConnectionsPerInstance: z.number().int().min(1).max(1_000_000),
  })
  .partial()
  .strict();
