/**
 * Pages need a signed-in user, enforced on the server for every page request
 * (not only in the browser): an anonymous request gets the sign-in page with
 * status 401, a too-weak role the "forbidden" page with status 403. The tRPC
 * procedures enforce the same rules themselves (server/trpc/init.ts); this
 * gate only keeps pages from rendering for someone who may not see them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { SESSION_COOKIE, hasRole, readCookie, type AuthService, type Role } from "../auth";

/** Paths served without a session: Next's assets, the sign-in page, the API (it answers 401 itself). */
const OPEN = [/^\/_next\//, /^\/api\//, /^\/favicon\.ico$/, /^\/signin(\/|$|\?)/, /^\/forbidden(\/|$|\?)/];
/** Pages that need more than the viewer role. */
const PAGE_ROLES: [RegExp, Role][] = [[/^\/admin(\/|$)/, "admin"]];

/** Forces the status of whatever Next renders (it would answer 200). */
function forceStatus(res: ServerResponse, status: number): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  (res as { writeHead: (...args: unknown[]) => ServerResponse }).writeHead = (_status: unknown, ...rest: unknown[]) => writeHead(status, ...rest);
}

export async function gatePage(req: IncomingMessage, res: ServerResponse, auth: AuthService | undefined): Promise<void> {
  const url = req.url ?? "/";
  const path = url.split("?", 1)[0] ?? "/";
  if ((req.method !== "GET" && req.method !== "HEAD") || OPEN.some((p) => p.test(path))) return;
  const principal =
    auth === undefined ? undefined : await auth.authenticate({ sessionId: readCookie(req.headers.cookie, SESSION_COOKIE) });
  if (principal === undefined) {
    req.url = `/signin?next=${encodeURIComponent(url)}`;
    forceStatus(res, 401);
    return;
  }
  const required = PAGE_ROLES.find(([pattern]) => pattern.test(path))?.[1];
  if (required !== undefined && !hasRole(principal.role, required)) {
    req.url = "/forbidden";
    forceStatus(res, 403);
  }
}
