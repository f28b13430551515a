/**
 * tRPC in three parts (create-t3-app's trpc.ts): the context, the one
 * initTRPC with its error formatter, and the procedures the routers build on.
 * Procedures stay thin: validate, call the engine/database, return.
 */
import { initTRPC } from "@trpc/server";
import { ZodError, z } from "zod";
import { getRuntime, type Runtime } from "../runtime";

export interface Context {
  readonly runtime: Runtime;
  readonly headers: Headers;
}

export function createContext(opts: { req: Request }): Context {
  return { runtime: getRuntime(), headers: opts.req.headers };
}

const t = initTRPC.context<Context>().create({
  // SSE subscriptions: a ping keeps proxies from closing an idle stream; the client reconnects after 5 s of silence.
  sse: { ping: { enabled: true, intervalMs: 2_000 }, client: { reconnectAfterInactivityMs: 5_000 } },
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        // zod errors reach the client flattened: field → messages.
        zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;
