export { ROLES, hasRole, isRole, type Role } from "./roles";
export { SignInThrottle } from "./throttle";
export { hashPassword, verifyPassword } from "./passwords";
export {
  SESSION_COOKIE,
  createAuthService,
  ensureFirstAdmin,
  readCookie,
  sessionCookie,
  sha256,
  type AuthService,
  type Principal,
  type SessionPolicy,
  type SignInResult,
} from "./auth-service";
