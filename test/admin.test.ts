/**
 * Admin operations and authentication against the embedded database and
 * PostgreSQL: every change is committed with its audit row before the engine
 * sees it, refusals are audited and change nothing, audit rows cannot be
 * edited or deleted, sign-in is throttled per user and address, sessions
 * expire, tokens can be revoked.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminError, createAdminOperations, type Actor } from "../server/admin";
import { SignInThrottle, createAuthService, ensureFirstAdmin, type Principal } from "../server/auth";
import { createDb, type Db } from "../server/db";
import { createEngine, seededRng, type Engine } from "../server/engine";
import { createHostPolicy } from "../server/net";
import { createTestDatabase, externalUrl } from "./support/external";

const pgUrl = externalUrl("DATABASE_URL");

interface Target {
  name: string;
  open(): Promise<{ db: Db; url: () => string | undefined; cleanup: () => Promise<void> }>;
}

const targets: Target[] = [
  {
    name: "embedded PGlite",
    async open() {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), "alicia-admin-"));
      const db = await createDb({ kind: "embedded", dataDir });
      return { db, url: () => undefined, cleanup: async () => { await db.close(); rmSync(dataDir, { recursive: true, force: true }); } };
    },
  },
  ...(pgUrl
    ? [
        {
          name: "PostgreSQL",
          async open() {
            const database = await createTestDatabase(pgUrl);
            const db = await createDb({ kind: "postgres", url: database.url });
            return { db, url: () => database.url, cleanup: async () => { await db.close(); await database.drop(); } };
          },
        },
      ]
    : []),
];

const operator: Actor = { principal: { kind: "user", name: "olga", role: "operator" }, address: "192.0.2.10" };

describe.each(targets)("admin operations on $name", (target) => {
  let db: Db;
  let engine: Engine;
  let cleanup: () => Promise<void>;
  let url: () => string | undefined;
  let ops: ReturnType<typeof createAdminOperations>;
  let clockMs = Date.UTC(2026, 10, 25, 10);
  const throttle = new SignInThrottle(() => clockMs);
  let auth: ReturnType<typeof createAuthService>;

  beforeAll(async () => {
    ({ db, cleanup, url } = await target.open());
    engine = createEngine({ clock: { now: () => performance.now() }, rng: seededRng(1) });
    auth = createAuthService(db, throttle, { idleTimeoutMs: 30 * 60_000, maxAgeMs: 12 * 3_600_000 }, () => clockMs);
    ops = createAdminOperations({ db, engine, hostPolicy: createHostPolicy({ allowed: [], denied: [] }), auth });
  });
  afterAll(async () => {
    await cleanup();
  });

  const audit = async () => (await db.auth.audit.list({ limit: 500 })).reverse();

  it("commits a change with its audit row, then applies it to the engine", async () => {
    await ops.createService(operator, "orders", { algorithm: "least_connections" });
    expect(engine.getService("orders")?.config.algorithm).toBe("least_connections");
    await ops.addInstance(operator, "orders", { id: "o-1", host: "127.0.0.1", port: 9001, weight: 3 });
    await ops.addInstance(operator, "orders", { id: "o-2", host: "127.0.0.1", port: 9002, weight: 1 });
    await ops.setAlgorithm(operator, "orders", "weighted_round_robin");
    await ops.updateInstance(operator, "orders", "o-2", { draining: true });
    const snapshot = engine.getServiceSnapshot("orders")!;
    expect(snapshot.algorithm).toBe("weighted_round_robin");
    expect(snapshot.instances.map((i) => [i.id, i.weight, i.draining, i.source])).toEqual([
      ["o-1", 3, false, "manual"],
      ["o-2", 1, true, "manual"],
    ]);
    const stored = await db.services.get("orders");
    expect(stored?.config.algorithm).toBe("weighted_round_robin");
    const rows = await audit();
    expect(rows.map((r) => [r.action, r.target, r.allowed, r.actor, r.role, r.address])).toEqual([
      ["service.create", "orders", true, "olga", "operator", "192.0.2.10"],
      ["instance.add", "orders/o-1", true, "olga", "operator", "192.0.2.10"],
      ["instance.add", "orders/o-2", true, "olga", "operator", "192.0.2.10"],
      ["service.set_algorithm", "orders", true, "olga", "operator", "192.0.2.10"],
      ["instance.drain", "orders/o-2", true, "olga", "operator", "192.0.2.10"],
    ]);
    const algorithmRow = rows[3]!;
    expect((algorithmRow.before as { config: { algorithm: string } }).config.algorithm).toBe("least_connections");
    expect((algorithmRow.after as { config: { algorithm: string } }).config.algorithm).toBe("weighted_round_robin");
  });

  it.each([
    ["a link-local host", { id: "o-3", host: "169.254.169.254", port: 80, weight: 1 }, "BAD_REQUEST", /refused/],
    ["a duplicate id", { id: "o-1", host: "127.0.0.1", port: 9100, weight: 1 }, "CONFLICT", /exists already/],
    ["a duplicate address", { id: "o-9", host: "127.0.0.1", port: 9001, weight: 1 }, "CONFLICT", /already instance "o-1"/],
  ] as const)("refuses %s, audits the refusal, and changes nothing", async (_label, input, code, message) => {
    const before = JSON.stringify(await db.services.get("orders"));
    const engineBefore = JSON.stringify(engine.getServiceSnapshot("orders")!.instances.map((i) => i.id));
    const error = await ops.addInstance(operator, "orders", input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminError);
    expect((error as AdminError).code).toBe(code);
    expect((error as AdminError).message).toMatch(message);
    expect(JSON.stringify(await db.services.get("orders"))).toBe(before);
    expect(JSON.stringify(engine.getServiceSnapshot("orders")!.instances.map((i) => i.id))).toBe(engineBefore);
    const last = (await audit()).at(-1)!;
    expect(last).toMatchObject({ action: "instance.add", allowed: false, actor: "olga" });
    expect(last.reason).toMatch(message);
  });

  it("refuses a change the engine would reject before writing anything", async () => {
    const error = await ops.updateService(operator, "orders", { healthCheckIntervalMs: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminError);
    expect((error as AdminError).code).toBe("BAD_REQUEST");
    expect((await db.services.get("orders"))?.config.health.intervalMs).toBe(30_000);
    expect(engine.getService("orders")?.config.health.intervalMs).toBe(30_000);
  });

  it("resets and forces open breakers through the audit trail", async () => {
    await ops.forceOpenBreaker(operator, "orders", "o-1");
    expect(engine.getServiceSnapshot("orders")!.instances[0]!.breaker.state).toBe("forced_open");
    await expect(ops.forceOpenBreaker(operator, "orders", "o-1")).rejects.toMatchObject({ code: "CONFLICT" });
    await ops.resetBreaker(operator, "orders", "o-1");
    expect(engine.getServiceSnapshot("orders")!.instances[0]!.breaker.state).toBe("closed");
    await expect(ops.resetBreaker(operator, "orders", "nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
    const rows = (await audit()).slice(-4);
    expect(rows.map((r) => [r.action, r.allowed])).toEqual([
      ["breaker.force_open", true],
      ["breaker.force_open", false],
      ["breaker.reset", true],
      ["breaker.reset", false],
    ]);
  });

  it("keeps audit rows append-only: UPDATE, DELETE and TRUNCATE are refused by the database", async () => {
    const connection = url();
    // Reach the same database the repositories use, with plain SQL.
    const raw = connection === undefined ? undefined : new pg.Client({ connectionString: connection });
    const run = async (sql: string) => {
      if (raw) return raw.query(sql);
      return db.prisma.$executeRawUnsafe(sql);
    };
    if (raw) await raw.connect();
    try {
      await expect(run(`UPDATE audit_log SET actor = 'mallory'`)).rejects.toThrow(/append-only/);
      await expect(run(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
      await expect(run(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
      expect((await audit()).every((r) => r.actor !== "mallory")).toBe(true);
    } finally {
      await raw?.end();
    }
  });

  it("signs in the first admin, answers unknown users and wrong passwords alike, and throttles per user and address", async () => {
    expect(await ensureFirstAdmin(db, "correct horse battery staple")).toEqual({});
    expect(await ensureFirstAdmin(db, "another password!!")).toBeUndefined(); // only on first start
    const good = await auth.signIn({ username: "admin", password: "correct horse battery staple", address: "198.51.100.1" });
    expect(good).toMatchObject({ ok: true, principal: { name: "admin", role: "admin", kind: "user" } });
    const wrong = await auth.signIn({ username: "admin", password: "nope", address: "203.0.113.66" });
    const unknown = await auth.signIn({ username: "nobody", password: "nope", address: "203.0.113.66" });
    expect(wrong).toEqual({ ok: false, reason: "invalid_credentials" });
    expect(unknown).toEqual(wrong);
    for (let i = 0; i < 4; i++) await auth.signIn({ username: "admin", password: "nope", address: "203.0.113.66" });
    const throttled = await auth.signIn({ username: "admin", password: "correct horse battery staple", address: "203.0.113.66" });
    expect(throttled).toMatchObject({ ok: false, reason: "throttled" });
    expect((throttled as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    // The real admin, elsewhere, is not locked out.
    expect(await auth.signIn({ username: "admin", password: "correct horse battery staple", address: "198.51.100.1" })).toMatchObject({ ok: true });
    clockMs += 60_000;
    expect(await auth.signIn({ username: "admin", password: "correct horse battery staple", address: "203.0.113.66" })).toMatchObject({ ok: true });
  });

  it("ends sessions at sign-out, after idling, and at their maximum age; rotates them at sign-in", async () => {
    const signIn = async (previousSessionId?: string) => {
      const r = await auth.signIn({ username: "admin", password: "correct horse battery staple", address: "198.51.100.1", previousSessionId });
      if (!r.ok) throw new Error("sign-in failed");
      return r.sessionId;
    };
    const first = await signIn();
    expect(await auth.authenticate({ sessionId: first })).toMatchObject({ name: "admin", role: "admin" });
    const second = await signIn(first); // rotation: the old id stops working
    expect(second).not.toBe(first);
    expect(await auth.authenticate({ sessionId: first })).toBeUndefined();
    const principal = (await auth.authenticate({ sessionId: second })) as Principal;
    await auth.signOut(principal.sessionHash!);
    expect(await auth.authenticate({ sessionId: second })).toBeUndefined();

    const idle = await signIn();
    clockMs += 31 * 60_000;
    expect(await auth.authenticate({ sessionId: idle })).toBeUndefined();

    const old = await signIn();
    for (let i = 0; i < 25; i++) {
      clockMs += 29 * 60_000; // used regularly, never idle…
      if (i < 24) expect(await auth.authenticate({ sessionId: old })).toBeDefined();
    }
    expect(await auth.authenticate({ sessionId: old })).toBeUndefined(); // …but past 12 h
  });

  it("authenticates API tokens until they are revoked", async () => {
    const admin: Actor = { principal: { kind: "user", name: "admin", role: "admin" }, address: "198.51.100.1" };
    const token = await ops.createToken(admin, "ci", "operator");
    expect(token).toMatch(/^alb_[A-Za-z0-9_-]{43}$/);
    expect(await auth.authenticate({ bearer: token })).toEqual({ kind: "token", name: "ci", role: "operator" });
    expect(await auth.authenticate({ bearer: `${token}x` })).toBeUndefined();
    await ops.revokeToken(admin, "ci");
    expect(await auth.authenticate({ bearer: token })).toBeUndefined();
    const rows = (await db.auth.tokens.list()).filter((t) => t.name === "ci");
    expect(rows[0]!.revokedAt).toBeInstanceOf(Date);
  });
});
