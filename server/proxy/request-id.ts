/**
 * Request ids for requests that arrive without one. UUID-shaped (8-4-4-4-12
 * lower-case hex, version 4 and RFC 4122 variant bits set) so logs and tools
 * that expect a UUID take them, but not one random draw per request: a random
 * prefix per generator (74 random bits) and a 48-bit counter in the last
 * group. Unique within a process by the counter, across processes and
 * restarts by the prefix; cheaper than `crypto.randomUUID()` on the proxy's
 * hot path (no entropy, no formatting). Ids are not secrets.
 */
import { randomBytes } from "node:crypto";

/** ASCII codes of the id's characters: "0"–"9", "a"–"f". */
const ZERO = 48;
const NINE = 57;
const A = 97;
const F = 102;
/** The last group (12 hex digits, 48 bits) is the counter: ids 24..35 of the 36 characters. */
const COUNTER_START = 24;
const ID_LENGTH = 36;

function randomPrefix(random: (size: number) => Buffer): string {
  const hex = random(10).toString("hex"); // 20 hex digits
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-`;
}

/**
 * A generator of UUID-shaped ids; `random` is injectable for tests. The id is
 * kept as ASCII bytes and its last group counted up in place, like an
 * odometer (amortised one digit per id), so each id costs one string
 * made from 36 bytes.
 */
export function createRequestIds(random: (size: number) => Buffer = randomBytes): () => string {
  const bytes = Buffer.alloc(ID_LENGTH);
  const restart = () => {
    bytes.write(`${randomPrefix(random)}000000000000`, 0, ID_LENGTH, "latin1");
  };
  restart();
  let first = true;
  return () => {
    if (first) {
      first = false;
      return bytes.toString("latin1", 0, ID_LENGTH);
    }
    for (let i = ID_LENGTH - 1; ; i--) {
      if (i < COUNTER_START) {
        restart(); // 2^48 ids: a new prefix
        break;
      }
      const digit = bytes[i] ?? ZERO;
      if (digit === NINE) {
        bytes[i] = A;
        break;
      }
      if (digit !== F) {
        bytes[i] = digit + 1;
        break;
      }
      bytes[i] = ZERO;
    }
    return bytes.toString("latin1", 0, ID_LENGTH);
  };
}
