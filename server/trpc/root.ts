/** The admin API: one router per feature, merged here. */
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createTRPCRouter } from "./init";
import { authRouter } from "./routers/auth";
import { eventsRouter } from "./routers/events";
import { manageRouter } from "./routers/manage";
import { liveRouter } from "./routers/live";
import { servicesRouter } from "./routers/services";
import { statsRouter } from "./routers/stats";
import { systemRouter } from "./routers/system";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  manage: manageRouter,
  services: servicesRouter,
  live: liveRouter,
  stats: statsRouter,
  events: eventsRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
