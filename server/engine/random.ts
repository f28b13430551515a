/**
 * random: uniform over the eligible snapshot using the injected Rng (weights
 * only gate eligibility: weight 0 never reaches the snapshot). `exclude` is
 * removed from the draw exactly. Cost: O(1) per pick.
 */

import type { InstanceState } from "./instance-state";
import type { Picker, PickerContext } from "./picker";
import { Sampler } from "./sampler";

export class RandomPicker implements Picker {
  private readonly sampler: Sampler;

  constructor(
    snapshot: readonly InstanceState[],
    private readonly ctx: PickerContext,
  ) {
    this.sampler = new Sampler(snapshot, false);
  }

  pick(exclude: InstanceState | undefined): InstanceState | undefined {
    return this.sampler.sample(this.ctx.rng, exclude);
  }

  activeChanged(): void {
    // load does not matter to random
  }

  dispose(): void {
    // stateless
  }
}
