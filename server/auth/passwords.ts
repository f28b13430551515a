/**
 * Password hashing with node's scrypt (memory-hard; RFC 7914). Parameters
 * N = 2^15, r = 8, p = 1 (32 MiB, OWASP's scrypt minimum is N = 2^17 with
 * r = 8 at 128 MiB or N = 2^15 at 32 MiB for constrained hosts), 16-byte salt,
 * 32-byte key, stored as `scrypt$N$r$p$salt$hash` (base64url) so parameters
 * can be raised later without invalidating existing hashes.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, keyLength, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { N, r: R, p: P, maxmem: MAX_MEMORY });
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/** A hash of a random password: verifying against it costs the same as a real one (unknown users answer alike). */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return dummyHash;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [, n, r, p, saltText, keyText] = parts;
  const expected = Buffer.from(keyText ?? "", "base64url");
  const params = { N: Number(n), r: Number(r), p: Number(p), maxmem: MAX_MEMORY };
  if (!Number.isInteger(params.N) || !Number.isInteger(params.r) || !Number.isInteger(params.p) || expected.length === 0) return false;
  const key = await scrypt(password.normalize("NFKC"), Buffer.from(saltText ?? "", "base64url"), expected.length, params);
  return timingSafeEqual(key, expected);
}

/** A random password for the first admin when ADMIN_PASSWORD is unset (printed once). */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}
