/**
 * power_of_two_choices: draw two distinct eligible instances at random
 * (proportional to weight when weights differ, uniform otherwise) and take the
 * one with fewer active requests; a tie keeps the first draw (tower `balance/p2c`,
 * after Mitzenmacher's "power of two choices"). Load-aware at O(1) without any
 * ordered structure, and it avoids the herd that pure least-connections causes.
 * `cost` is pluggable so least_response_time reuses it with peak-EWMA cost.
 * Cost: two draws (O(1) uniform, O(log n) weighted) per pick.
 */

import type { InstanceState } from "./instance-state";
import type { Picker, PickerContext } from "./picker";
import { Sampler } from "./sampler";

export class PowerOfTwoChoicesPicker implements Picker {
  private readonly sampler: Sampler;

  constructor(
    snapshot: readonly InstanceState[],
    protected readonly ctx: PickerContext,
  ) {
    this.sampler = new Sampler(snapshot, true);
  }

  pick(exclude: InstanceState | undefined): InstanceState | undefined {
    const a = this.sampler.sample(this.ctx.rng, exclude);
    if (a === undefined) return undefined;
    const b = this.sampler.sample(this.ctx.rng, exclude, a);
    if (b === undefined) return a;
    const now = this.pickTime();
    return this.cost(b, now) < this.cost(a, now) ? b : a;
  }

  /** Time for cost(); plain P2C does not need the clock. */
  protected pickTime(): number {
    return 0;
  }

  protected cost(instance: InstanceState, _now: number): number {
    return instance.active;
  }

  activeChanged(): void {
    // cost is read at pick time
  }

  dispose(): void {
    // stateless
  }
}
