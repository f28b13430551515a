/**
 * Users, sessions, API tokens and the audit log. Secrets never reach the
 * database in clear: sessions and tokens are stored as SHA-256 hashes of the
 * random values the clients hold; passwords as scrypt hashes (server/auth).
 */
import type { Prisma, PrismaClient } from "./generated/client";

type Client = PrismaClient | Prisma.TransactionClient;

export interface UserRow {
  id: number;
  username: string;
  passwordHash: string;
  role: string;
  disabled: boolean;
}

export interface SessionRow {
  idHash: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  user: UserRow;
}

export interface TokenRow {
  id: number;
  name: string;
  role: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface AuditEntry {
  actor: string;
  actorKind: "user" | "token" | "anonymous" | "system";
  role: string | null;
  action: string;
  target: string | null;
  before?: unknown;
  after?: unknown;
  allowed: boolean;
  reason?: string | null;
  address: string | null;
}

export interface AuditRow extends Omit<AuditEntry, "before" | "after" | "reason"> {
  id: string;
  reason: string | null;
  ts: Date;
  before: unknown;
  after: unknown;
}

const json = (value: unknown): Prisma.InputJsonValue | undefined =>
  value === undefined ? undefined : (JSON.parse(JSON.stringify(value ?? null)) as Prisma.InputJsonValue);

export function createAuthRepository(prisma: Client) {
  return {
    users: {
      count: () => prisma.user.count(),
      findByUsername: (username: string) => prisma.user.findUnique({ where: { username } }),
      list: () => prisma.user.findMany({ orderBy: { username: "asc" }, select: { id: true, username: true, role: true, disabled: true, createdAt: true } }),
      create: (data: { username: string; passwordHash: string; role: string }) => prisma.user.create({ data }),
      update: (username: string, data: { role?: string; disabled?: boolean; passwordHash?: string }) => prisma.user.update({ where: { username }, data }),
    },
    sessions: {
      create: (data: { idHash: string; userId: number; createdAt: Date; expiresAt: Date; address: string | null }) =>
        prisma.session.create({ data: { ...data, lastSeenAt: data.createdAt } }),
      get: (idHash: string): Promise<SessionRow | null> => prisma.session.findUnique({ where: { idHash }, include: { user: true } }),
      touch: (idHash: string, at: Date) => prisma.session.update({ where: { idHash }, data: { lastSeenAt: at } }),
      revoke: (idHash: string, at: Date) => prisma.session.updateMany({ where: { idHash, revokedAt: null }, data: { revokedAt: at } }),
      revokeAllOfUser: (userId: number, at: Date) => prisma.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: at } }),
    },
    tokens: {
      create: (data: { name: string; tokenHash: string; role: string; createdBy: string }) => prisma.apiToken.create({ data }),
      findByHash: (tokenHash: string) => prisma.apiToken.findUnique({ where: { tokenHash } }),
      list: (): Promise<TokenRow[]> =>
        prisma.apiToken.findMany({
          orderBy: { name: "asc" },
          select: { id: true, name: true, role: true, createdBy: true, createdAt: true, lastUsedAt: true, revokedAt: true },
        }),
      touch: (id: number, at: Date) => prisma.apiToken.update({ where: { id }, data: { lastUsedAt: at } }),
      revoke: (name: string, at: Date) => prisma.apiToken.updateMany({ where: { name, revokedAt: null }, data: { revokedAt: at } }),
    },
    audit: {
      insert: (entry: AuditEntry) =>
        prisma.auditLog.create({
          data: {
            actor: entry.actor.slice(0, 64),
            actorKind: entry.actorKind,
            role: entry.role,
            action: entry.action,
            target: entry.target?.slice(0, 256) ?? null,
            before: json(entry.before),
            after: json(entry.after),
            allowed: entry.allowed,
            reason: entry.reason?.slice(0, 512) ?? null,
            address: entry.address,
          },
        }),
      async list(query: { beforeId?: string | undefined; limit: number }): Promise<AuditRow[]> {
        const rows = await prisma.auditLog.findMany({
          where: query.beforeId === undefined ? {} : { id: { lt: BigInt(query.beforeId) } },
          orderBy: { id: "desc" },
          take: query.limit,
        });
        return rows.map((row) => ({
          ...row,
          id: row.id.toString(),
          actorKind: row.actorKind === "token" || row.actorKind === "anonymous" || row.actorKind === "system" ? row.actorKind : "user",
        }));
      },
    },
  };
}

export type AuthRepository = ReturnType<typeof createAuthRepository>;
