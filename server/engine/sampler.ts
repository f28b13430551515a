/**
 * Random sampling over a snapshot, uniform or proportional to weight, with up to
 * two members excluded exactly (no retry loop): draw in the reduced space, then
 * shift past each excluded index/range in ascending order (Floyd's trick, as
 * tower's p2c samples two distinct indices).
 *
 * Weighted draws use Walker/Vose's alias table (O(1), two Rng draws); a draw
 * that must avoid excluded members rejects and redraws up to 8 times, then falls
 * back to an exact O(log n) binary search in a prefix-sum array. Rejection from
 * the full distribution is exactly the distribution restricted to the rest.
 * Invariant: weights in a snapshot are positive integers (weight 0 never
 * reaches one). Cost: build O(n) per snapshot; uniform O(1); weighted O(1)
 * expected, O(log n) worst case.
 */

import { inSnapshot } from "./instance-state";
import type { InstanceState } from "./instance-state";
import { uniformIndex } from "./types";
import type { Rng } from "./types";

export class Sampler {
  /** starts[i] = Σ weights before i; undefined when all weights are equal (uniform). */
  private readonly starts: Float64Array | undefined;
  private readonly total: number;
  /** Vose alias table (weighted only): keep i with probability keep[i], else alias[i]. */
  private readonly keep: Float64Array | undefined;
  private readonly alias: Int32Array | undefined;

  constructor(
    private readonly snapshot: readonly InstanceState[],
    weightAware: boolean,
  ) {
    const first = snapshot[0]?.weight;
    const equal = snapshot.every((inst) => inst.weight === first);
    if (!weightAware || equal) {
      this.starts = undefined;
      this.total = snapshot.length;
      this.keep = undefined;
      this.alias = undefined;
      return;
    }
    const starts = new Float64Array(snapshot.length);
    let sum = 0;
    snapshot.forEach((inst, i) => {
      starts[i] = sum;
      sum += inst.weight;
    });
    this.starts = starts;
    this.total = sum;
    [this.keep, this.alias] = buildAlias(snapshot, sum);
  }

  get size(): number {
    return this.snapshot.length;
  }

  sample(rng: Rng, excludeA?: InstanceState, excludeB?: InstanceState): InstanceState | undefined {
    let lowIndex = inSnapshot(this.snapshot, excludeA) ? excludeA.snapIndex : -1;
    let highIndex = inSnapshot(this.snapshot, excludeB) ? excludeB.snapIndex : -1;
    if (lowIndex === highIndex) highIndex = -1;
    if (lowIndex > highIndex) [lowIndex, highIndex] = [highIndex, lowIndex];
    const starts = this.starts;
    if (starts === undefined) {
      const m = this.snapshot.length - (lowIndex >= 0 ? 1 : 0) - (highIndex >= 0 ? 1 : 0);
      if (m <= 0) return undefined;
      let r = uniformIndex(rng, m);
      if (lowIndex >= 0 && r >= lowIndex) r++;
      if (highIndex >= 0 && r >= highIndex) r++;
      return this.snapshot[r];
    }
    const keep = this.keep;
    const alias = this.alias;
    if (keep !== undefined && alias !== undefined) {
      const n = this.snapshot.length;
      for (let attempt = 0; attempt < 8; attempt++) {
        const i = uniformIndex(rng, n);
        const pick = rng.nextUint32() / 4294967296 < (keep[i] ?? 1) ? i : (alias[i] ?? i);
        if (pick !== lowIndex && pick !== highIndex) return this.snapshot[pick];
      }
    }
    const lowWeight = lowIndex >= 0 ? (this.snapshot[lowIndex]?.weight ?? 0) : 0;
    const highWeight = highIndex >= 0 ? (this.snapshot[highIndex]?.weight ?? 0) : 0;
    const m = this.total - lowWeight - highWeight;
    if (m <= 0) return undefined;
    let r = uniformIndex(rng, m);
    if (lowIndex >= 0 && r >= (starts[lowIndex] ?? 0)) r += lowWeight;
    if (highIndex >= 0 && r >= (starts[highIndex] ?? 0)) r += highWeight;
    // last i with starts[i] <= r
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((starts[mid] ?? 0) <= r) lo = mid;
      else hi = mid - 1;
    }
    return this.snapshot[lo];
  }
}

/** Vose's alias method: O(n) build from integer weights summing to `total`. */
function buildAlias(snapshot: readonly InstanceState[], total: number): [Float64Array, Int32Array] {
  const n = snapshot.length;
  const keep = new Float64Array(n);
  const alias = new Int32Array(n);
  const scaled = new Float64Array(n);
  const small: number[] = [];
  const large: number[] = [];
  snapshot.forEach((inst, i) => {
    const p = (inst.weight * n) / total;
    scaled[i] = p;
    alias[i] = i;
    (p < 1 ? small : large).push(i);
  });
  for (;;) {
    const s = small.pop();
    const l = large.pop();
    if (s === undefined || l === undefined) {
      for (const i of [...small, ...large, ...(s === undefined ? [] : [s]), ...(l === undefined ? [] : [l])]) keep[i] = 1;
      break;
    }
    keep[s] = scaled[s] ?? 1;
    alias[s] = l;
    const rest = (scaled[l] ?? 0) + (scaled[s] ?? 0) - 1;
    scaled[l] = rest;
    (rest < 1 ? small : large).push(l);
  }
  return [keep, alias];
}
