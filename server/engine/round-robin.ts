/**
 * round_robin: each eligible instance in registration order, one after the
 * other. Unlike the seed (one index shared by all services, reset whenever the
 * healthy list changed), the position is per service and is remembered as the
 * `seq` of the last instance picked, so a rebuilt snapshot (an instance removed,
 * drained or back from unhealthy mid-rotation) continues right after it.
 * `exclude` is skipped by taking the next one.
 * Cost: O(log n) once per snapshot (binary search for the resume point), O(1) per pick.
 */

import { inSnapshot } from "./instance-state";
import type { InstanceState } from "./instance-state";
import type { Picker, PickerContext } from "./picker";

export class RoundRobinPicker implements Picker {
  private next: number;

  constructor(
    private readonly snapshot: readonly InstanceState[],
    private readonly ctx: PickerContext,
  ) {
    this.next = firstAfterSeq(snapshot, ctx.memory.rrLastSeq);
  }

  pick(exclude: InstanceState | undefined): InstanceState | undefined {
    const n = this.snapshot.length;
    if (n === 0) return undefined;
    let i = this.next;
    let chosen = this.snapshot[i];
    if (chosen !== undefined && chosen === exclude && inSnapshot(this.snapshot, exclude)) {
      if (n === 1) return undefined;
      i = i + 1 === n ? 0 : i + 1;
      chosen = this.snapshot[i];
    }
    if (chosen === undefined) return undefined;
    this.next = i + 1 === n ? 0 : i + 1;
    this.ctx.memory.rrLastSeq = chosen.seq;
    return chosen;
  }

  activeChanged(): void {
    // load does not matter to round robin
  }

  dispose(): void {
    // position already kept in memory.rrLastSeq
  }
}

/** Index of the first instance with seq > lastSeq, wrapping to 0. */
function firstAfterSeq(snapshot: readonly InstanceState[], lastSeq: number): number {
  let lo = 0;
  let hi = snapshot.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((snapshot[mid]?.seq ?? Number.POSITIVE_INFINITY) <= lastSeq) lo = mid + 1;
    else hi = mid;
  }
  return lo >= snapshot.length ? 0 : lo;
}
