/**
 * Request ids for requests that arrive without one. UUID-shaped (8-4-4-4-12
 * lower-case hex, version 4 and RFC 4122 variant bits set) so logs and tools
 * that expect a UUID take them, but not one random draw per request: a random
 * prefix per generator (74 random bits) and a 48-bit counter in the last
 * group. Unique within a process by the counter, across processes and
 * restarts by the prefix; cheaper than `crypto.randomUUID()` on the proxy's
 * hot path (one string concatenation, no entropy). Ids are not secrets.
 */
import { randomBytes } from "node:crypto";

const COUNTER_LIMIT = 2 ** 48;

function randomPrefix(random: (size: number) => Buffer): string {
  const hex = random(10).toString("hex"); // 20 hex digits
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-`;
}

/** A generator of UUID-shaped ids; `random` is injectable for tests. */
export function createRequestIds(random: (size: number) => Buffer = randomBytes): () => string {
  let prefix = randomPrefix(random);
  let counter = 0;
  return () => {
    if (counter === COUNTER_LIMIT) {
      prefix = randomPrefix(random);
      counter = 0;
    }
    // 2^48 + counter in hex is "1" followed by the counter's 12 digits, zero-padded.
    return prefix + (COUNTER_LIMIT + counter++).toString(16).slice(1);
  };
}
