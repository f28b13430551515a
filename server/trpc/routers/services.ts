/** Services as the dashboard lists them: stored configuration joined with live engine state. */
import { z } from "zod";
import { ALGORITHMS } from "../../engine";
import { createTRPCRouter, procedure } from "../init";

const serviceSummary = z.object({
  name: z.string(),
  algorithm: z.enum(ALGORITHMS),
  instanceCount: z.number().int(),
  availableCount: z.number().int(),
  healthyCount: z.number().int(),
  healthCheckMethods: z.array(z.string()),
  requestTimeoutMs: z.number().int(),
});

export type ServiceSummary = z.infer<typeof serviceSummary>;

export const servicesRouter = createTRPCRouter({
  list: procedure.meta({ role: "viewer" }).output(z.array(serviceSummary)).query(async ({ ctx }) => {
    const stored = await ctx.runtime.db.services.list();
    const live = new Map(ctx.runtime.engine.listServices().map((s) => [s.name as string, s]));
    return stored.map((service) => {
      const snapshot = live.get(service.config.name);
      return {
        name: service.config.name,
        algorithm: service.config.algorithm,
        instanceCount: service.instances.length,
        availableCount: snapshot?.availableCount ?? 0,
        healthyCount: snapshot?.healthyCount ?? 0,
        healthCheckMethods: [...service.config.health.methods],
        requestTimeoutMs: service.config.requestTimeoutMs,
      };
    });
  }),
});
