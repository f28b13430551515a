/**
 * The role × procedure matrix, listed from the router itself so a new
 * procedure cannot be forgotten: anonymous callers get UNAUTHORIZED, weaker
 * roles FORBIDDEN, the declared role (and stronger) get through to the
 * handler. Refused mutations are audited. Browser mutations must be
 * same-origin JSON.
 */
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { ROLES, type Principal, type Role } from "../server/auth";
import type { Runtime } from "../server/runtime";
import { appRouter, createCallerFactory, crossSiteReason, type Context } from "../server/trpc";

interface ProcedureDef {
  _def: { type: "query" | "mutation" | "subscription"; meta?: { role?: Role | "public" } };
}

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureDef>).map(([path, procedure]) => ({
  path,
  type: procedure._def.type,
  role: procedure._def.meta?.role ?? "admin",
}));

const refusals: { path: string; reason: string }[] = [];
/** A runtime whose every other member throws: a call that gets past authorization fails with INTERNAL_SERVER_ERROR, not 401/403. */
const runtime = new Proxy(
  {
    admin: new Proxy(
      {
        refuse: (_actor: unknown, path: string, _target: unknown, reason: string) => {
          refusals.push({ path, reason });
          return Promise.resolve();
        },
      },
      {
        get(target, key) {
          if (key in target) return target[key as keyof typeof target];
          throw new Error("not reached by authorization");
        },
      },
    ),
  },
  {
    get(target, key) {
      if (key in target) return target[key as keyof typeof target];
      throw new Error("not reached by authorization");
    },
  },
) as unknown as Runtime;

const sameOrigin = new Headers({ host: "lb.example", origin: "http://lb.example", "content-type": "application/json" });

function context(principal: Principal | undefined, headers = sameOrigin): Context {
  return { runtime, headers, resHeaders: new Headers(), address: "192.0.2.1", principal, sessionId: undefined, secure: false };
}

const caller = createCallerFactory(appRouter);

async function call(path: string, ctx: Context): Promise<string> {
  const segments = path.split(".");
  let target: unknown = caller(ctx);
  for (const segment of segments) target = (target as Record<string, unknown>)[segment];
  try {
    const result = await (target as (input?: unknown) => Promise<unknown>)(undefined);
    if (result !== null && typeof result === "object" && Symbol.asyncIterator in result) {
      const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      await iterator.next();
    }
    return "OK";
  } catch (error) {
    return error instanceof TRPCError ? error.code : "OTHER";
  }
}

const user = (role: Role): Principal => ({ kind: "user", name: `${role}-user`, role });

describe("authorization matrix", () => {
  it("lists the router's procedures with their declared roles", () => {
    expect(procedures.length).toBeGreaterThan(20);
    expect(procedures.filter((p) => p.role === "public").map((p) => p.path)).toEqual(["auth.signIn"]);
    // Every mutation needs more than viewer, except signing in and out.
    const viewerMutations = procedures.filter((p) => p.type === "mutation" && (p.role === "viewer" || p.role === "public")).map((p) => p.path);
    expect(viewerMutations.sort()).toEqual(["auth.signIn", "auth.signOut"]);
  });

  describe.each(procedures.filter((p) => p.role !== "public"))("$path ($type, $role)", ({ path, role }) => {
    it("refuses anonymous callers with UNAUTHORIZED", async () => {
      expect(await call(path, context(undefined))).toBe("UNAUTHORIZED");
    });

    const weaker = ROLES.slice(0, ROLES.indexOf(role as Role));
    const allowed = ROLES.slice(ROLES.indexOf(role as Role));
    it.each(weaker)("refuses a %s with FORBIDDEN", async (weak) => {
      expect(await call(path, context(user(weak)))).toBe("FORBIDDEN");
    });
    it.each(allowed)("lets a %s through to the handler", async (strong) => {
      expect(["UNAUTHORIZED", "FORBIDDEN"]).not.toContain(await call(path, context(user(strong))));
    });
  });

  it("audits refused mutations with the reason", async () => {
    refusals.length = 0;
    await call("manage.setAlgorithm", context(user("viewer")));
    await call("manage.deleteService", context(undefined));
    expect(refusals).toEqual([
      { path: "manage.setAlgorithm", reason: "this needs the operator role; you are viewer" },
      { path: "manage.deleteService", reason: "sign in first" },
    ]);
  });

  it("applies the same rules to API tokens (bearer callers skip only the same-origin check)", async () => {
    const token: Principal = { kind: "token", name: "ci", role: "operator" };
    const noOrigin = new Headers({ host: "lb.example", "content-type": "application/json" });
    expect(await call("manage.deleteService", context(token, noOrigin))).toBe("FORBIDDEN");
    expect(["UNAUTHORIZED", "FORBIDDEN"]).not.toContain(await call("manage.setAlgorithm", context(token, noOrigin)));
  });
});

describe("bad input is refused before any handler runs", () => {
  async function callWith(path: string, input: unknown): Promise<string> {
    const segments = path.split(".");
    let target: unknown = caller(context(user("admin")));
    for (const segment of segments) target = (target as Record<string, unknown>)[segment];
    try {
      await (target as (input: unknown) => Promise<unknown>)(input);
      return "OK";
    } catch (error) {
      return error instanceof TRPCError ? `${error.code} ${error.message}` : "OTHER";
    }
  }
  it.each([
    ["an out-of-range port", "manage.addInstance", { service: "pay", id: "p1", host: "127.0.0.1", port: 70_000, weight: 1 }, /port is from 1 to 65535/],
    ["an out-of-range weight", "manage.addInstance", { service: "pay", id: "p1", host: "127.0.0.1", port: 80, weight: 10_001 }, /weight is from 0 to 10000/],
    ["an unknown algorithm", "manage.setAlgorithm", { service: "pay", algorithm: "fastest" }, /algorithm/],
    ["an oversized name", "manage.deleteService", { name: "x".repeat(5_000) }, /service name/],
    ["a prototype key as a name", "manage.deleteService", { name: "__proto__" }, /service name/],
    ["markup in a name", "manage.createService", { name: "<script>alert(1)</script>" }, /service name/],
    ["an unexpected key", "manage.updateInstance", { service: "pay", id: "p1", weight: 2, isAdmin: true }, /isAdmin|Unrecognized/],
    ["an oversized password", "manage.createUser", { username: "eve", password: "p".repeat(10_000), role: "viewer" }, /password/i],
  ])("%s", async (_label, path, input, message) => {
    const outcome = await callWith(path, input);
    expect(outcome).toMatch(/^BAD_REQUEST /);
    expect(outcome).toMatch(message);
  });
});

describe("cross-site request checks for browser mutations", () => {
  it.each([
    ["a form post", { host: "lb.example", origin: "http://lb.example", "content-type": "application/x-www-form-urlencoded" }, /application\/json/],
    ["text/plain", { host: "lb.example", origin: "http://lb.example", "content-type": "text/plain" }, /application\/json/],
    ["a foreign origin", { host: "lb.example", origin: "https://evil.example", "content-type": "application/json" }, /foreign origin/],
    ["no origin", { host: "lb.example", "content-type": "application/json" }, /Origin/],
    ["a cross-site fetch", { host: "lb.example", origin: "http://lb.example", "content-type": "application/json", "sec-fetch-site": "cross-site" }, /cross-site/],
  ])("refuses %s", async (_label, headers, reason) => {
    expect(crossSiteReason(new Headers(headers))).toMatch(reason);
    expect(await call("manage.setAlgorithm", context(user("admin"), new Headers(headers)))).toBe("FORBIDDEN");
    expect(await call("auth.signIn", context(undefined, new Headers(headers)))).toBe("FORBIDDEN");
  });

  it("accepts same-origin JSON", () => {
    expect(crossSiteReason(sameOrigin)).toBeUndefined();
  });
});
