/** The admin API: one router per feature, merged here. */
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createTRPCRouter } from "./init";
import { servicesRouter } from "./routers/services";
import { systemRouter } from "./routers/system";

export const appRouter = createTRPCRouter({
  services: servicesRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
