/**
 * Ring for consistent hashing (Karger et al. 1997; ring hash as in Envoy's
 * ring_hash load balancer): each instance gets VNODES_PER_WEIGHT points per
 * weight unit (160, libketama's count), at hash32(`${id}#${i}`); a key belongs to
 * the first point at or after its hash, wrapping. Adding or removing one of N
 * instances moves only the keys of its own points, ≈ 1/N of them.
 *
 * Built over every instance with weight > 0, whatever its state, so health,
 * breaker, drain or saturation changes do not rebuild it (the picker walks past
 * ineligible owners instead). Like Envoy's maximum_ring_size, the ring is
 * capped (MAX_RING_POINTS) by scaling every instance's point count down evenly.
 * Points are keyed by instance id, not address, so a moved instance keeps its keys.
 * Invariants: points ascending; owners[i] indexes members. Cost: build
 * O(P log P) (one typed-array sort), locate O(log P).
 */

import { hash32 } from "./hash";
import type { InstanceState } from "./instance-state";

export const VNODES_PER_WEIGHT = 160;
export const MAX_RING_POINTS = 1 << 20;
const OWNER_SPACE = 2 ** 21;

export class HashRing {
  private constructor(
    readonly points: Uint32Array,
    private readonly owners: Int32Array,
    private readonly members: readonly InstanceState[],
  ) {}

  static build(
    instances: Iterable<InstanceState>,
    vnodesPerWeight = VNODES_PER_WEIGHT,
    maxPoints = MAX_RING_POINTS,
  ): HashRing {
    if (!Number.isInteger(vnodesPerWeight) || vnodesPerWeight < 1) {
      throw new RangeError(`vnodesPerWeight must be an integer >= 1, got ${vnodesPerWeight}`);
    }
    if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new RangeError(`maxPoints must be an integer >= 1, got ${maxPoints}`);
    const members: InstanceState[] = [];
    let wanted = 0;
    for (const inst of instances) {
      if (inst.weight <= 0) continue;
      members.push(inst);
      wanted += inst.weight * vnodesPerWeight;
    }
    if (members.length >= OWNER_SPACE) throw new RangeError(`too many ring members: ${members.length}`);
    const scale = wanted > maxPoints ? maxPoints / wanted : 1;
    const counts = members.map((inst) => Math.max(1, Math.floor(inst.weight * vnodesPerWeight * scale)));
    const total = counts.reduce((a, b) => a + b, 0);
    const keys = new Float64Array(total);
    let p = 0;
    members.forEach((inst, m) => {
      const count = counts[m] ?? 0;
      for (let i = 0; i < count; i++) keys[p++] = hash32(`${inst.id}#${i}`) * OWNER_SPACE + m;
    });
    keys.sort();
    const points = new Uint32Array(total);
    const owners = new Int32Array(total);
    for (let i = 0; i < total; i++) {
      const key = keys[i] ?? 0;
      const owner = key % OWNER_SPACE;
      owners[i] = owner;
      points[i] = (key - owner) / OWNER_SPACE;
    }
    return new HashRing(points, owners, members);
  }

  get size(): number {
    return this.points.length;
  }

  /** Index of the first point >= hash, wrapping to 0. */
  locate(hash: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.points[mid] ?? 0) < hash) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.points.length ? 0 : lo;
  }

  ownerAt(index: number): InstanceState | undefined {
    return this.members[this.owners[index] ?? -1];
  }
}
