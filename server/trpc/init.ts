/**
 * tRPC in three parts (create-t3-app's trpc.ts): the context, the one
 * initTRPC with its error formatter, and the procedure everything builds on.
 *
 * Authorization lives here, in one middleware, not in handlers: every
 * procedure declares the role it needs in its meta (`public`, `viewer`,
 * `operator`, `admin`; undeclared means admin). Anonymous callers get 401, a
 * too-weak role 403. Mutations from a browser session must be JSON from the
 * dashboard's own origin (CSRF: no forms, no text/plain, no foreign Origin);
 * bearer-token callers carry no ambient authority and are exempt. Refused
 * mutations are audited. Domain errors map to tRPC codes in one place.
 */
import { TRPCError, initTRPC } from "@trpc/server";
import { ZodError, z } from "zod";
import { SESSION_COOKIE, hasRole, readCookie, type Principal, type Role } from "../auth";
import { getRuntime, type Runtime } from "../runtime";

export interface Meta {
  role: Role | "public";
}

export interface Context {
  readonly runtime: Runtime;
  readonly headers: Headers;
  readonly resHeaders: Headers;
  readonly address: string | null;
  readonly principal: Principal | undefined;
  readonly sessionId: string | undefined;
  /** Whether the dashboard was reached over TLS (cookies get Secure). */
  readonly secure: boolean;
}

const BEARER = /^Bearer\s+(\S+)$/i;

export async function createContext(opts: { req: Request; resHeaders: Headers }): Promise<Context> {
  const runtime = getRuntime();
  const { headers } = opts.req;
  const sessionId = readCookie(headers.get("cookie"), SESSION_COOKIE);
  const bearer = BEARER.exec(headers.get("authorization") ?? "")?.[1];
  const principal = await runtime.auth.authenticate({ sessionId, bearer });
  return {
    runtime,
    headers,
    resHeaders: opts.resHeaders,
    address: headers.get("x-alicia-client-address"),
    principal,
    sessionId,
    secure: headers.get("x-forwarded-proto") === "https",
  };
}

/** Why a browser mutation is not same-origin JSON, or undefined when it is. */
export function crossSiteReason(headers: Headers): string | undefined {
  const contentType = headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType)) return "mutations accept only application/json";
  const site = headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return `cross-site request (${site})`;
  const origin = headers.get("origin");
  if (origin === null) return "a browser mutation must carry an Origin header";
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return "malformed Origin header";
  }
  if (originHost !== headers.get("host")) return `foreign origin ${origin}`;
  return undefined;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    defaultMeta: { role: "admin" },
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

const CODES = { BAD_REQUEST: "BAD_REQUEST", NOT_FOUND: "NOT_FOUND", CONFLICT: "CONFLICT", INVALID: "BAD_REQUEST" } as const;

/** Domain errors (AdminError, EngineError, StoreError, RangeError) → tRPC codes. */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof RangeError) throw new TRPCError({ code: "BAD_REQUEST", message: cause.message, cause });
    if (cause instanceof Error && ["AdminError", "EngineError", "StoreError"].includes(cause.name)) {
      const code = (cause as Error & { code?: string }).code;
      if (code !== undefined && code in CODES) throw new TRPCError({ code: CODES[code as keyof typeof CODES], message: cause.message, cause });
    }
  }
  return result;
});

const enforceRole = t.middleware(async ({ ctx, meta, type, path, next }) => {
  const required = meta?.role ?? "admin";
  const refuse = async (code: "UNAUTHORIZED" | "FORBIDDEN", message: string): Promise<never> => {
    if (type === "mutation") {
      await ctx.runtime.admin.refuse({ principal: ctx.principal, address: ctx.address }, path, null, message);
    }
    throw new TRPCError({ code, message });
  };
  if (type === "mutation" && (ctx.principal === undefined || ctx.principal.kind === "user")) {
    // Browser (cookie) callers and sign-in: same-origin JSON only.
    const reason = crossSiteReason(ctx.headers);
    if (reason !== undefined) await refuse("FORBIDDEN", reason);
  }
  if (required === "public") return next();
  const principal = ctx.principal;
  if (principal === undefined) return refuse("UNAUTHORIZED", "sign in first");
  if (!hasRole(principal.role, required)) return refuse("FORBIDDEN", `this needs the ${required} role; you are ${principal.role}`);
  return next({ ctx: { principal } });
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
/** Every procedure: declare `.meta({ role })`; without it only admins may call. */
export const procedure = t.procedure.use(mapDomainErrors).use(enforceRole);
