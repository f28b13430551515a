export { appRouter, type AppRouter, type RouterInputs, type RouterOutputs } from "./root";
export { createCallerFactory, createContext, type Context } from "./init";
