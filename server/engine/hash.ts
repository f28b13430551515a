/**
 * 32-bit string hash for the consistent-hash ring: FNV-1a (Fowler/Noll/Vo) over
 * the UTF-16 code units, then murmur3's fmix32 finalizer (Austin Appleby) for
 * avalanche, so near-identical keys ("user-1", "user-2") spread over the ring.
 * Pure and stable across processes and restarts. Cost: O(length of the string).
 */

export function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    h ^= unit & 0xff;
    h = Math.imul(h, 0x01000193);
    h ^= unit >>> 8;
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}
