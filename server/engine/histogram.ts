/**
 * Latency histogram in microseconds, log-linear like HdrHistogram (Gil Tene,
 * hdrhistogram.org): values below 128 µs are counted exactly; above, each power of
 * two is split into 64 linear sub-buckets, so a bucket is at most 1/64 of its value
 * wide and the reported midpoint is within 0.8 % of any value in it (≈2
 * significant digits). Range 0 .. 60 s (HISTOGRAM_MAX_US); larger values land in
 * the top bucket while `max` keeps the exact value.
 *
 * Index math is HdrHistogram's (unit magnitude 0, subBucketHalfCountMagnitude 6):
 *   bucket = 25 - clz32(v | 127); sub = v >>> bucket; index = 64·bucket + sub.
 * Storage: HISTOGRAM_LENGTH (1,331) counts in rows of 64 (one row per power of
 * two), each row allocated on first use. An instance's latencies
 * span a few powers of two, so it holds ~1 KB instead of 5.3 KB, and 10,000
 * instances' histograms stay cache-resident on the hot path.
 * Invariants: `count` = Σ counts; every non-zero index lies in [lowIndex, highIndex].
 * Cost: record O(1) (allocates only a row's first use); merge/reset/percentiles
 * O(touched range).
 * Mergeable (roll-ups) and encodable for storage (versioned sparse pairs, as a
 * number[] for JSON or LEB128 varints in a Uint8Array for bytea).
 */

import type { LatencySummary } from "./types";

const HALF_COUNT_BITS = 6;
const HALF_COUNT = 1 << HALF_COUNT_BITS; // 64
const SUB_BUCKET_MASK = (HALF_COUNT << 1) - 1; // 127
const LEADING_ZERO_BASE = 32 - HALF_COUNT_BITS - 1; // 25
const FORMAT_VERSION = 1;
const ROW_BITS = 6;
const ROW_MASK = (1 << ROW_BITS) - 1;

export const HISTOGRAM_MAX_US = 60_000_000;

function indexOfValue(value: number): number {
  const bucket = LEADING_ZERO_BASE - Math.clz32(value | SUB_BUCKET_MASK);
  return (bucket << HALF_COUNT_BITS) + (value >>> bucket);
}

export const HISTOGRAM_LENGTH = indexOfValue(HISTOGRAM_MAX_US) + 1;

function lowestValueAt(index: number): number {
  if (index < HALF_COUNT << 1) return index;
  const bucket = (index >> HALF_COUNT_BITS) - 1;
  return ((index & (HALF_COUNT - 1)) + HALF_COUNT) * 2 ** bucket;
}

function widthAt(index: number): number {
  return index < HALF_COUNT << 1 ? 1 : 2 ** ((index >> HALF_COUNT_BITS) - 1);
}

/** The value reported for a bucket: its middle (HdrHistogram medianEquivalentValue). */
function midValueAt(index: number): number {
  return lowestValueAt(index) + Math.floor(widthAt(index) / 2);
}

const ROWS = (HISTOGRAM_LENGTH + ROW_MASK) >> ROW_BITS;

export class LatencyHistogram {
  // Rows are plain arrays of small integers: V8 keeps them on the JS heap next to
  // their header, one fewer pointer chase than a typed array's backing store.
  private readonly rows: (number[] | undefined)[] = new Array<number[] | undefined>(ROWS).fill(undefined);
  count = 0;
  sumUs = 0;
  minUs = Number.POSITIVE_INFINITY;
  maxUs = 0;
  private lowIndex = HISTOGRAM_LENGTH;
  private highIndex = -1;

  /** Records one latency. Rejects negative and non-finite values with a RangeError. */
  record(latencyUs: number): void {
    if (!(latencyUs >= 0) || latencyUs === Number.POSITIVE_INFINITY) {
      throw new RangeError(`latencyUs must be a finite number >= 0, got ${String(latencyUs)}`);
    }
    const value = Math.round(latencyUs);
    const index = indexOfValue(value > HISTOGRAM_MAX_US ? HISTOGRAM_MAX_US : value);
    this.add(index, 1);
    if (index < this.lowIndex) this.lowIndex = index;
    if (index > this.highIndex) this.highIndex = index;
    this.count++;
    this.sumUs += value;
    if (value < this.minUs) this.minUs = value;
    if (value > this.maxUs) this.maxUs = value;
  }

  /** Count in one bucket. */
  countAt(index: number): number {
    return this.rows[index >> ROW_BITS]?.[index & ROW_MASK] ?? 0;
  }

  /** All HISTOGRAM_LENGTH counts as one dense array (a copy). */
  toDenseCounts(): Uint32Array {
    const out = new Uint32Array(HISTOGRAM_LENGTH);
    for (let i = this.lowIndex; i <= this.highIndex; i++) out[i] = this.countAt(i);
    return out;
  }

  /** Adds another histogram's counts into this one. */
  merge(other: LatencyHistogram): void {
    for (let i = other.lowIndex; i <= other.highIndex; i++) {
      const add = other.countAt(i);
      if (add === 0) continue;
      if (this.countAt(i) + add > 0xffffffff) throw new RangeError(`histogram bucket ${i} would overflow`);
      this.add(i, add);
    }
    this.count += other.count;
    this.sumUs += other.sumUs;
    if (other.minUs < this.minUs) this.minUs = other.minUs;
    if (other.maxUs > this.maxUs) this.maxUs = other.maxUs;
  }

  reset(): void {
    for (let r = this.lowIndex >> ROW_BITS; r <= this.highIndex >> ROW_BITS; r++) this.rows[r]?.fill(0);
    this.lowIndex = HISTOGRAM_LENGTH;
    this.highIndex = -1;
    this.count = 0;
    this.sumUs = 0;
    this.minUs = Number.POSITIVE_INFINITY;
    this.maxUs = 0;
  }

  /** Value at a percentile (0..100), nearest rank as HdrHistogram; 0 when empty. */
  valueAtPercentile(percentile: number): number {
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new RangeError(`percentile must be in [0, 100], got ${String(percentile)}`);
    }
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.round((percentile / 100) * this.count));
    let seen = 0;
    for (let i = this.lowIndex; i <= this.highIndex; i++) {
      seen += this.countAt(i);
      if (seen >= rank) return Math.min(this.maxUs, Math.max(this.minUs, midValueAt(i)));
    }
    return this.maxUs;
  }

  summary(): LatencySummary {
    if (this.count === 0) return { count: 0, avgUs: 0, p50Us: 0, p95Us: 0, p99Us: 0, maxUs: 0 };
    return {
      count: this.count,
      avgUs: this.sumUs / this.count,
      p50Us: this.valueAtPercentile(50),
      p95Us: this.valueAtPercentile(95),
      p99Us: this.valueAtPercentile(99),
      maxUs: this.maxUs,
    };
  }

  private add(index: number, n: number): void {
    const rowIndex = index >> ROW_BITS;
    let row = this.rows[rowIndex];
    if (row === undefined) {
      row = new Array<number>(1 << ROW_BITS).fill(0);
      this.rows[rowIndex] = row;
    }
    row[index & ROW_MASK] = (row[index & ROW_MASK] ?? 0) + n;
    if (index < this.lowIndex) this.lowIndex = index;
    if (index > this.highIndex) this.highIndex = index;
  }

  /** [version, sumUs, minUs, maxUs, index, count, index, count, ...]; [] when empty. */
  encode(): number[] {
    if (this.count === 0) return [];
    const out = [FORMAT_VERSION, this.sumUs, this.minUs, this.maxUs];
    for (let i = this.lowIndex; i <= this.highIndex; i++) {
      const c = this.countAt(i);
      if (c !== 0) out.push(i, c);
    }
    return out;
  }

  static decode(data: readonly number[]): LatencyHistogram {
    const h = new LatencyHistogram();
    if (data.length === 0) return h;
    const [version, sumUs, minUs, maxUs] = data;
    if (version !== FORMAT_VERSION || data.length < 4 || data.length % 2 !== 0) {
      throw new RangeError(`histogram encoding: unsupported version or length (version ${String(version)}, length ${data.length})`);
    }
    for (let p = 4; p < data.length; p += 2) {
      const index = data[p] ?? -1;
      const c = data[p + 1] ?? 0;
      if (!Number.isInteger(index) || index < 0 || index >= HISTOGRAM_LENGTH || !Number.isInteger(c) || c < 1 || c > 0xffffffff) {
        throw new RangeError(`histogram encoding: bad pair (${index}, ${c}) at ${p}`);
      }
      if (h.countAt(index) !== 0) throw new RangeError(`histogram encoding: index ${index} repeated at ${p}`);
      h.add(index, c);
      h.count += c;
    }
    h.sumUs = sumUs ?? 0;
    h.minUs = minUs ?? 0;
    h.maxUs = maxUs ?? 0;
    return h;
  }

  /** The same content as encode(), as unsigned LEB128 varints (index as delta). */
  toBytes(): Uint8Array {
    const numbers = this.encode();
    const bytes: number[] = [];
    let previousIndex = 0;
    numbers.forEach((n, position) => {
      if (position >= 4 && position % 2 === 0) {
        writeVarint(bytes, n - previousIndex);
        previousIndex = n;
      } else {
        writeVarint(bytes, n);
      }
    });
    return Uint8Array.from(bytes);
  }

  static fromBytes(bytes: Uint8Array): LatencyHistogram {
    const numbers: number[] = [];
    let offset = 0;
    let previousIndex = 0;
    while (offset < bytes.length) {
      const [value, next] = readVarint(bytes, offset);
      offset = next;
      const position = numbers.length;
      if (position >= 4 && position % 2 === 0) {
        previousIndex += value;
        numbers.push(previousIndex);
      } else {
        numbers.push(value);
      }
    }
    return LatencyHistogram.decode(numbers);
  }
}

/** Summary of several histograms merged (e.g. a service from its instances, or a roll-up). */
export function mergeHistograms(histograms: Iterable<LatencyHistogram>): LatencyHistogram {
  const out = new LatencyHistogram();
  for (const h of histograms) out.merge(h);
  return out;
}

function writeVarint(out: number[], value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint: not a non-negative safe integer: ${value}`);
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function readVarint(bytes: Uint8Array, start: number): [number, number] {
  let value = 0;
  let scale = 1;
  let offset = start;
  for (;;) {
    const b = bytes[offset];
    if (b === undefined) throw new RangeError(`varint: truncated at byte ${offset}`);
    offset++;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, offset];
    scale *= 0x80;
    if (scale > 2 ** 56) throw new RangeError(`varint: too long at byte ${start}`);
  }
}
