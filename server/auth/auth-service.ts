/**
 * Sign-in, sessions and API tokens.
 *
 * Sessions: a random 256-bit id in an HttpOnly, SameSite=Strict cookie
 * (Secure under TLS); the database keeps only its SHA-256. A sign-in always
 * creates a new session (rotation) and revokes the one the browser held;
 * sign-out revokes it. A session ends after `idleTimeoutMs` without use or
 * `maxAgeMs` after sign-in, whichever comes first.
 * API tokens: `alb_` + 256 random bits, shown once at creation; Bearer auth.
 * Unknown user and wrong password answer alike, in the same time (a dummy
 * scrypt verification for unknown users).
 */
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db";
import { dummyPasswordHash, generatePassword, hashPassword, verifyPassword } from "./passwords";
import { isRole, type Role } from "./roles";
import type { SignInThrottle } from "./throttle";

export const SESSION_COOKIE = "alicia_session";

export interface Principal {
  readonly kind: "user" | "token";
  readonly name: string;
  readonly role: Role;
  /** SHA-256 of the session id (sessions only), to revoke it at sign-out. */
  readonly sessionHash?: string;
}

export interface SessionPolicy {
  idleTimeoutMs: number;
  maxAgeMs: number;
}

export const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

export type SignInResult =
  | { ok: true; sessionId: string; principal: Principal; expiresAt: Date }
  | { ok: false; reason: "invalid_credentials" }
  | { ok: false; reason: "throttled"; retryAfterMs: number };

export function createAuthService(db: Pick<Db, "auth">, throttle: SignInThrottle, policy: SessionPolicy, now: () => number = () => Date.now()) {
  return {
    async signIn(input: { username: string; password: string; address: string; previousSessionId?: string | undefined }): Promise<SignInResult> {
      const wait = throttle.retryAfterMs(input.username, input.address);
      if (wait > 0) return { ok: false, reason: "throttled", retryAfterMs: wait };
      const user = await db.auth.users.findByUsername(input.username);
      const valid = await verifyPassword(input.password, user?.passwordHash ?? (await dummyPasswordHash()));
      if (!user || !valid || user.disabled || !isRole(user.role)) {
        throttle.failed(input.username, input.address);
        return { ok: false, reason: "invalid_credentials" };
      }
      throttle.succeeded(input.username, input.address);
      const at = new Date(now());
      if (input.previousSessionId !== undefined) await db.auth.sessions.revoke(sha256(input.previousSessionId), at);
      const sessionId = randomBytes(32).toString("base64url");
      const expiresAt = new Date(at.getTime() + policy.maxAgeMs);
      await db.auth.sessions.create({ idHash: sha256(sessionId), userId: user.id, createdAt: at, expiresAt, address: input.address.slice(0, 64) });
      return { ok: true, sessionId, expiresAt, principal: { kind: "user", name: user.username, role: user.role, sessionHash: sha256(sessionId) } };
    },

    /** The principal behind a session cookie or a bearer token, or undefined. */
    async authenticate(credentials: { sessionId?: string | undefined; bearer?: string | undefined }): Promise<Principal | undefined> {
      const t = now();
      if (credentials.bearer !== undefined) {
        if (!credentials.bearer.startsWith("alb_")) return undefined;
        const token = await db.auth.tokens.findByHash(sha256(credentials.bearer));
        if (token === null || token.revokedAt !== null || !isRole(token.role)) return undefined;
        if (token.lastUsedAt === null || t - token.lastUsedAt.getTime() > 60_000) await db.auth.tokens.touch(token.id, new Date(t));
        return { kind: "token", name: token.name, role: token.role };
      }
      if (credentials.sessionId === undefined || credentials.sessionId.length < 40 || credentials.sessionId.length > 64) return undefined;
      const idHash = sha256(credentials.sessionId);
      const session = await db.auth.sessions.get(idHash);
      if (session === null || session.revokedAt !== null || session.user.disabled || !isRole(session.user.role)) return undefined;
      if (t >= session.expiresAt.getTime() || t - session.lastSeenAt.getTime() > policy.idleTimeoutMs) return undefined;
      // Keep the idle clock running without a write per request.
      if (t - session.lastSeenAt.getTime() > 30_000) await db.auth.sessions.touch(idHash, new Date(t));
      return { kind: "user", name: session.user.username, role: session.user.role, sessionHash: idHash };
    },

    async signOut(sessionHash: string): Promise<void> {
      await db.auth.sessions.revoke(sessionHash, new Date(now()));
    },

    /** Creates an API token; the clear value is returned once and never stored. */
    async createToken(name: string, role: Role, createdBy: string): Promise<string> {
      const token = `alb_${randomBytes(32).toString("base64url")}`;
      await db.auth.tokens.create({ name, tokenHash: sha256(token), role, createdBy });
      return token;
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

/**
 * The first admin (username `admin`) at first start: its password from
 * ADMIN_PASSWORD, or a random one that is returned so it can be printed once.
 * Returns undefined when users exist already.
 */
export async function ensureFirstAdmin(db: Pick<Db, "auth">, adminPassword: string | undefined): Promise<{ generatedPassword?: string } | undefined> {
  if ((await db.auth.users.count()) > 0) return undefined;
  const password = adminPassword ?? generatePassword();
  await db.auth.users.create({ username: "admin", passwordHash: await hashPassword(password), role: "admin" });
  return adminPassword === undefined ? { generatedPassword: password } : {};
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index === -1) continue;
    if (part.slice(0, index).trim() === name) return decodeURIComponent(part.slice(index + 1).trim());
  }
  return undefined;
}

export function sessionCookie(value: string, options: { secure: boolean; maxAgeS: number }): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${options.maxAgeS}${options.secure ? "; Secure" : ""}`;
}
