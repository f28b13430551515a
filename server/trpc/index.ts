export { appRouter, type AppRouter, type RouterInputs, type RouterOutputs } from "./root";
export { createCallerFactory, createContext, crossSiteReason, type Context, type Meta } from "./init";
