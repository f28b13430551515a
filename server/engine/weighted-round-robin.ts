/**
 * weighted_round_robin: nginx's smooth weighted round robin
 * (ngx_http_upstream_get_peer, 2012). Each pick adds every weight to its
 * instance's current weight, takes the largest (first in registration order on a
 * tie) and subtracts the total W from it. Weights 5,1,1 give a a b a c a a, and
 * from a fresh state every run of W consecutive picks gives each instance exactly
 * its weight (the sequence has period W). Weight 0 never reaches the snapshot.
 *
 * Why not a precomputed table: the snapshot is rebuilt whenever an instance
 * saturates or a half-open probe slot fills, and a W-long table (up to 10^8 at
 * 10,000 instances) would cost O(W) per rebuild. Instead the nginx state is kept
 * exactly, lazily: current_i = wrrCurrent_i + step·w_i. Instances sharing a
 * weight gain at the same rate, so within one weight group the largest current
 * weight stays on top of a max-heap; a pick compares only the D group tops.
 * Cost: O(D + log n) per pick, D = distinct weights (typically < 10); O(n) to
 * build; current weights are written back on dispose, so a rebuilt snapshot
 * continues nginx's sequence (excluded instances keep theirs, as nginx does).
 *
 * When D > MAX_SMOOTH_GROUPS the picker is an earliest-deadline-first scheduler
 * instead (gRPC-Go weightedroundrobin / Linux CFS idea): the j-th pick of an
 * instance in cycle q has deadline q + j/w, compared exactly in integers. Still
 * exactly w_i picks per W-run, O(log n) per pick, but not nginx's interleaving.
 */

import type { InstanceState } from "./instance-state";
import type { Picker } from "./picker";

export const MAX_SMOOTH_GROUPS = 64;

export function createWeightedRoundRobinPicker(snapshot: readonly InstanceState[]): Picker {
  const weights = new Set<number>();
  for (const inst of snapshot) {
    weights.add(inst.weight);
    if (weights.size > MAX_SMOOTH_GROUPS) return new EdfWeightedRoundRobinPicker(snapshot);
  }
  return new SmoothWeightedRoundRobinPicker(snapshot);
}

interface WeightGroup {
  readonly weight: number;
  readonly heap: InstanceState[];
}

/** Max-heap order within a group: larger current weight, then registration order. */
function before(a: InstanceState, b: InstanceState): boolean {
  return a.wrrCurrent !== b.wrrCurrent ? a.wrrCurrent > b.wrrCurrent : a.snapIndex < b.snapIndex;
}

export class SmoothWeightedRoundRobinPicker implements Picker {
  private readonly groups: WeightGroup[] = [];
  private readonly total: number;
  private step = 0;

  constructor(snapshot: readonly InstanceState[]) {
    const byWeight = new Map<number, InstanceState[]>();
    let total = 0;
    for (const inst of snapshot) {
      total += inst.weight;
      const list = byWeight.get(inst.weight);
      if (list === undefined) byWeight.set(inst.weight, [inst]);
      else list.push(inst);
    }
    this.total = total;
    for (const [weight, heap] of byWeight) {
      heap.forEach((inst, i) => {
        inst.heapIndex = i;
        inst.heapOwner = this;
      });
      for (let i = (heap.length >>> 1) - 1; i >= 0; i--) siftDown(heap, i);
      this.groups.push({ weight, heap });
    }
  }

  pick(exclude: InstanceState | undefined): InstanceState | undefined {
    const k = this.step + 1;
    let best: InstanceState | undefined;
    let bestGroup: WeightGroup | undefined;
    let bestScore = 0;
    for (const group of this.groups) {
      let top = group.heap[0];
      if (top === undefined) continue;
      if (top === exclude) {
        const left = group.heap[1];
        const right = group.heap[2];
        top = left === undefined ? undefined : right !== undefined && before(right, left) ? right : left;
        if (top === undefined) continue;
      }
      const score = top.wrrCurrent + k * group.weight;
      if (best === undefined || score > bestScore || (score === bestScore && top.snapIndex < best.snapIndex)) {
        best = top;
        bestGroup = group;
        bestScore = score;
      }
    }
    if (best === undefined || bestGroup === undefined) return undefined;
    this.step = k;
    best.wrrCurrent -= this.total;
    siftDown(bestGroup.heap, best.heapIndex);
    // Keep the numbers small: once per W (≥ n) picks, fold step into the stored values.
    if (this.step >= this.total) this.materialize();
    return best;
  }

  activeChanged(): void {
    // load does not matter to weighted round robin
  }

  dispose(): void {
    this.materialize();
    for (const group of this.groups) for (const inst of group.heap) if (inst.heapOwner === this) inst.heapOwner = null;
  }

  private materialize(): void {
    if (this.step === 0) return;
    for (const group of this.groups) {
      const add = this.step * group.weight;
      for (const inst of group.heap) inst.wrrCurrent += add;
    }
    this.step = 0;
  }
}

function siftDown(heap: InstanceState[], start: number): void {
  const inst = heap[start];
  if (inst === undefined) return;
  const n = heap.length;
  let i = start;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const left = heap[l];
    if (left === undefined) break;
    const right = heap[l + 1];
    let childIndex = l;
    let child = left;
    if (right !== undefined && before(right, left)) {
      childIndex = l + 1;
      child = right;
    }
    if (!before(child, inst)) break;
    heap[i] = child;
    child.heapIndex = i;
    i = childIndex;
  }
  heap[i] = inst;
  inst.heapIndex = i;
}

/** Earliest-deadline-first fallback for many distinct weights. */
export class EdfWeightedRoundRobinPicker implements Picker {
  private readonly heap: Int32Array; // snapshot indices
  private readonly cycle: Float64Array; // q
  private readonly nth: Float64Array; // j, 1..w

  constructor(private readonly snapshot: readonly InstanceState[]) {
    const n = snapshot.length;
    this.heap = new Int32Array(n);
    this.cycle = new Float64Array(n);
    this.nth = new Float64Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      this.heap[i] = i;
    }
    for (let i = (n >>> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  pick(exclude: InstanceState | undefined): InstanceState | undefined {
    const n = this.heap.length;
    if (n === 0) return undefined;
    let slot = 0;
    if (this.snapshot[this.heap[0] ?? -1] === exclude) {
      if (n === 1) return undefined;
      slot = n > 2 && this.earlier(this.heap[2] ?? 0, this.heap[1] ?? 0) ? 2 : 1;
    }
    const index = this.heap[slot] ?? 0;
    const chosen = this.snapshot[index];
    if (chosen === undefined) return undefined;
    const next = (this.nth[index] ?? 1) + 1;
    if (next > chosen.weight) {
      this.nth[index] = 1;
      this.cycle[index] = (this.cycle[index] ?? 0) + 1;
    } else {
      this.nth[index] = next;
    }
    this.siftDown(slot);
    return chosen;
  }

  activeChanged(): void {
    // load does not matter to weighted round robin
  }

  dispose(): void {
    // EDF state is per snapshot
  }

  /** Deadline of a before b: q_a + j_a/w_a < q_b + j_b/w_b, exactly, ties by registration order. */
  private earlier(a: number, b: number): boolean {
    const qa = this.cycle[a] ?? 0;
    const qb = this.cycle[b] ?? 0;
    if (qa !== qb) return qa < qb;
    const lhs = (this.nth[a] ?? 0) * (this.snapshot[b]?.weight ?? 1);
    const rhs = (this.nth[b] ?? 0) * (this.snapshot[a]?.weight ?? 1);
    return lhs !== rhs ? lhs < rhs : a < b;
  }

  private siftDown(start: number): void {
    const n = this.heap.length;
    const item = this.heap[start] ?? 0;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      const left = this.heap[l] ?? 0;
      let child = left;
      if (l + 1 < n) {
        const right = this.heap[l + 1] ?? 0;
        if (this.earlier(right, left)) {
          c = l + 1;
          child = right;
        }
      }
      if (!this.earlier(child, item)) break;
      this.heap[i] = child;
      i = c;
    }
    this.heap[i] = item;
  }
}
