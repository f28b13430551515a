/**
 * Changes operators and admins make: services (admin), algorithms, instances
 * and breakers (operator), users and tokens (admin), and the audit trail
 * (viewer). Each procedure validates, then calls one admin operation, which
 * commits the change with its audit row before applying it.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { parseConfigDocument, stringifyConfigDocument } from "../../config";
import {
  algorithmInput,
  hostInput,
  instanceIdInput,
  passwordInput,
  portInput,
  roleInput,
  serviceNameInput,
  serviceSettingsInput,
  usernameInput,
  weightInput,
} from "../schemas";
import { createTRPCRouter, procedure, type Context } from "../init";

const ok = z.object({ ok: z.literal(true) });
const actor = (ctx: Context) => ({ principal: ctx.principal, address: ctx.address });
const instanceRef = z.object({ service: serviceNameInput, id: instanceIdInput });

export const manageRouter = createTRPCRouter({
  createService: procedure
    .meta({ role: "admin" })
    .input(z.object({ name: serviceNameInput, settings: serviceSettingsInput.default({}) }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.runtime.admin.createService(actor(ctx), input.name, input.settings);
      return { ok: true as const };
    }),
  updateService: procedure
    .meta({ role: "admin" })
    .input(z.object({ name: serviceNameInput, settings: serviceSettingsInput }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.runtime.admin.updateService(actor(ctx), input.name, input.settings);
      return { ok: true as const };
    }),
  deleteService: procedure
    .meta({ role: "admin" })
    .input(z.object({ name: serviceNameInput }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.runtime.admin.deleteService(actor(ctx), input.name);
      return { ok: true as const };
    }),
  setAlgorithm: procedure
    .meta({ role: "operator" })
    .input(z.object({ service: serviceNameInput, algorithm: algorithmInput }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.runtime.admin.setAlgorithm(actor(ctx), input.service, input.algorithm);
      return { ok: true as const };
    }),
  addInstance: procedure
    .meta({ role: "operator" })
    .input(z.object({ service: serviceNameInput, id: instanceIdInput, host: hostInput, port: portInput, weight: weightInput.default(1) }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.runtime.admin.addInstance(actor(ctx), input.service, { id: input.id, host: input.host, port: input.port, weight: input.weight });
      return { ok: true as const };
    }),
  updateInstance: procedure
    .meta({ role: "operator" })
    .input(instanceRef.extend({ weight: weightInput.optional(), enabled: z.boolean().optional(), draining: z.boolean().optional() }).strict())
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.runtime.admin.updateInstance(actor(ctx), input.service, input.id, { weight: input.weight, enabled: input.enabled, draining: input.draining });
      return { ok: true as const };
    }),
  removeInstance: procedure
    .meta({ role: "operator" })
    .input(instanceRef)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.runtime.admin.removeInstance(actor(ctx), input.service, input.id);
      return { ok: true as const };
    }),
  resetBreaker: procedure
    .meta({ role: "operator" })
    .input(instanceRef)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.runtime.admin.resetBreaker(actor(ctx), input.service, input.id);
      return { ok: true as const };
    }),
  forceOpenBreaker: procedure
    .meta({ role: "operator" })
    .input(instanceRef)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.runtime.admin.forceOpenBreaker(actor(ctx), input.service, input.id);
      return { ok: true as const };
    }),
  createUser: procedure
    .meta({ role: "admin" })
    .input(z.object({ username: usernameInput, password: passwordInput, role: roleInput }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.runtime.admin.createUser(actor(ctx), input.username, input.password, input.role);
      return { ok: true as const };
    }),
  updateUser: procedure
    .meta({ role: "admin" })
    .input(z.object({ username: usernameInput, role: roleInput.optional(), disabled: z.boolean().optional(), password: passwordInput.optional() }).strict())
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.runtime.admin.updateUser(actor(ctx), input.username, { role: input.role, disabled: input.disabled, password: input.password });
      return { ok: true as const };
    }),
  users: procedure
    .meta({ role: "admin" })
    .output(z.array(z.object({ username: z.string(), role: z.string(), disabled: z.boolean(), createdAt: z.date() })))
    .query(({ ctx }) => ctx.runtime.db.auth.users.list()),
  createToken: procedure
    .meta({ role: "admin" })
    .input(z.object({ name: usernameInput, role: roleInput }))
    .output(z.object({ token: z.string() }))
    .mutation(async ({ ctx, input }) => ({ token: await ctx.runtime.admin.createToken(actor(ctx), input.name, input.role) })),
  revokeToken: procedure
    .meta({ role: "admin" })
    .input(z.object({ name: usernameInput }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.runtime.admin.revokeToken(actor(ctx), input.name);
      return { ok: true as const };
    }),
  tokens: procedure
    .meta({ role: "admin" })
    .output(z.array(z.object({ name: z.string(), role: z.string(), createdBy: z.string(), createdAt: z.date(), lastUsedAt: z.date().nullable(), revokedAt: z.date().nullable() })))
    .query(({ ctx }) => ctx.runtime.db.auth.tokens.list()),
  exportConfig: procedure
    .meta({ role: "viewer" })
    .input(z.object({ format: z.enum(["yaml", "json"]).default("yaml") }))
    .output(z.object({ format: z.enum(["yaml", "json"]), text: z.string() }))
    .query(async ({ ctx, input }) => ({ format: input.format, text: stringifyConfigDocument(await ctx.runtime.admin.exportConfig(), input.format) })),
  importConfig: procedure
    .meta({ role: "admin" })
    .input(z.object({ format: z.enum(["yaml", "json"]), text: z.string().max(5_000_000) }))
    .output(z.object({ changed: z.array(z.string()) }))
    .mutation(async ({ ctx, input }) => {
      let doc;
      try {
        doc = parseConfigDocument(input.text, input.format, "the uploaded configuration");
      } catch (error) {
        throw new TRPCError({ code: "BAD_REQUEST", message: error instanceof Error ? error.message : String(error) });
      }
      return { changed: await ctx.runtime.admin.applyConfig(actor(ctx), doc) };
    }),
  audit: procedure
    .meta({ role: "viewer" })
    .input(z.object({ beforeId: z.string().regex(/^\d{1,19}$/).optional(), limit: z.number().int().min(1).max(500).default(100) }))
    .output(
      z.array(
        z.object({
          id: z.string(),
          ts: z.date(),
          actor: z.string(),
          actorKind: z.string(),
          role: z.string().nullable(),
          action: z.string(),
          target: z.string().nullable(),
          before: z.unknown(),
          after: z.unknown(),
          allowed: z.boolean(),
          reason: z.string().nullable(),
          address: z.string().nullable(),
        }),
      ),
    )
    .query(({ ctx, input }) => ctx.runtime.db.auth.audit.list(input)),
});
