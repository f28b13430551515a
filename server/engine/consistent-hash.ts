/**
 * consistent_hash: the request's hash key (the proxy reads it from the
 * service's hashHeader) goes to its owner on the ring (hash-ring.ts); if the
 * owner is not eligible or is `exclude`, to the next eligible owner clockwise,
 * so only that instance's keys move while it is out. Without a key the request
 * goes to a uniform random eligible instance (Envoy does the same without a hash).
 * This picker reads the `eligible` flag the registry keeps current, because the
 * ring deliberately spans ineligible instances too.
 * Cost: hash O(key length) + binary search O(log P) + the walk, which is short
 * unless most of the ring is ineligible (bounded by P).
 */

import { hash32 } from "./hash";
import type { HashRing } from "./hash-ring";
import type { InstanceState } from "./instance-state";
import type { Picker, PickerContext } from "./picker";
import { Sampler } from "./sampler";

export class ConsistentHashPicker implements Picker {
  private readonly sampler: Sampler;
  private readonly ring: HashRing | undefined;

  constructor(
    snapshot: readonly InstanceState[],
    private readonly ctx: PickerContext,
  ) {
    this.sampler = new Sampler(snapshot, false);
    this.ring = ctx.ring;
  }

  pick(exclude: InstanceState | undefined, hashKey: string | undefined): InstanceState | undefined {
    const ring = this.ring;
    if (this.sampler.size === 0 || ring === undefined) return undefined;
    if (hashKey === undefined) return this.sampler.sample(this.ctx.rng, exclude);
    const size = ring.size;
    let i = ring.locate(hash32(hashKey));
    for (let step = 0; step < size; step++) {
      const owner = ring.ownerAt(i);
      if (owner !== undefined && owner.eligible && owner !== exclude) return owner;
      i = i + 1 === size ? 0 : i + 1;
    }
    return undefined;
  }

  activeChanged(): void {
    // eligibility (saturation) is read from the flag
  }

  dispose(): void {
    // the ring is cached by the registry
  }
}
