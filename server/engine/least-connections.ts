/**
 * least_connections: the eligible instance with the fewest active requests;
 * ties go round robin (the least recently picked wins), as the seed intended.
 *
 * Structure: an indexed binary min-heap over the snapshot keyed by
 * (active, lcStamp, snapIndex), where lcStamp is a per-service counter value
 * written at each pick; slots live in InstanceState.heapIndex. acquire/release
 * re-sift the one instance that changed (gRPC-Go leastrequest scans; a heap keeps
 * 10,000 instances at O(log n)). `exclude` at the root: the better child is the
 * runner-up. Cost: build O(n), pick O(1) + O(log n) re-sift.
 */

import type { InstanceState } from "./instance-state";
import type { Picker, PickerContext } from "./picker";

function less(a: InstanceState, b: InstanceState): boolean {
  if (a.active !== b.active) return a.active < b.active;
  if (a.lcStamp !== b.lcStamp) return a.lcStamp < b.lcStamp;
  return a.snapIndex < b.snapIndex;
}

export class LeastConnectionsPicker implements Picker {
  private readonly heap: InstanceState[];

  constructor(
    snapshot: readonly InstanceState[],
    private readonly ctx: PickerContext,
  ) {
    this.heap = snapshot.slice();
    for (let i = 0; i < this.heap.length; i++) {
      const inst = this.heap[i];
      if (inst === undefined) continue;
      inst.heapIndex = i;
      inst.heapOwner = this;
    }
    for (let i = (this.heap.length >>> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  pick(exclude: InstanceState | undefined): InstanceState | undefined {
    let chosen = this.heap[0];
    if (chosen !== undefined && chosen === exclude) {
      const left = this.heap[1];
      const right = this.heap[2];
      chosen = left === undefined ? undefined : right !== undefined && less(right, left) ? right : left;
    }
    if (chosen === undefined) return undefined;
    chosen.lcStamp = ++this.ctx.memory.lcCounter;
    this.siftDown(chosen.heapIndex);
    return chosen;
  }

  activeChanged(instance: InstanceState): void {
    if (instance.heapOwner !== this) return;
    const i = instance.heapIndex;
    this.siftUp(i);
    if (instance.heapIndex === i) this.siftDown(i);
  }

  dispose(): void {
    for (const inst of this.heap) if (inst.heapOwner === this) inst.heapOwner = null;
  }

  private place(inst: InstanceState, i: number): void {
    this.heap[i] = inst;
    inst.heapIndex = i;
  }

  private siftUp(start: number): void {
    const inst = this.heap[start];
    if (inst === undefined) return;
    let i = start;
    while (i > 0) {
      const parentIndex = (i - 1) >>> 1;
      const parent = this.heap[parentIndex];
      if (parent === undefined || !less(inst, parent)) break;
      this.place(parent, i);
      i = parentIndex;
    }
    this.place(inst, i);
  }

  private siftDown(start: number): void {
    const inst = this.heap[start];
    if (inst === undefined) return;
    const n = this.heap.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const left = this.heap[l];
      const right = this.heap[l + 1];
      if (left === undefined) break;
      let childIndex = l;
      let child = left;
      if (right !== undefined && less(right, left)) {
        childIndex = l + 1;
        child = right;
      }
      if (!less(child, inst)) break;
      this.place(child, i);
      i = childIndex;
    }
    this.place(inst, i);
  }
}
