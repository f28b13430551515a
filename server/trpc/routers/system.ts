/** What this node is running on: shown in the dashboard's header and footer. */
import { z } from "zod";
import { createTRPCRouter, procedure } from "../init";

const systemStatus = z.object({
  ready: z.boolean(),
  notReadyReason: z.string().nullable(),
  database: z.object({ kind: z.enum(["embedded", "postgres"]), location: z.string() }),
  broker: z.object({ url: z.string(), connected: z.boolean(), embedded: z.boolean() }),
  proxyPort: z.number().int(),
  startedAt: z.string(),
});

export const systemRouter = createTRPCRouter({
  status: procedure.meta({ role: "viewer" }).output(systemStatus).query(({ ctx }) => {
    const { runtime } = ctx;
    const reason = runtime.readiness.reason();
    return {
      ready: reason === undefined,
      notReadyReason: reason ?? null,
      database: { kind: runtime.db.kind, location: runtime.db.location },
      broker: { url: runtime.mqtt.url, connected: runtime.mqtt.isConnected(), embedded: runtime.config.mqtt.kind === "embedded" },
      proxyPort: runtime.config.proxyPort,
      startedAt: runtime.startedAt.toISOString(),
    };
  }),
});
