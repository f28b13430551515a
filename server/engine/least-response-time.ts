/**
 * least_response_time: peak-EWMA load (Finagle's PeakEwma, tower
 * `load/peak_ewma.rs`): cost = RTT estimate × (active + 1), the estimate decaying
 * with a 10 s time constant on the injected clock (see peak-ewma.ts), chosen by
 * power of two choices over that cost rather than by a global minimum. Why P2C:
 * every instance's cost changes continuously with time (decay), so no heap stays
 * ordered without touching all n keys; two random costs read at pick time give
 * O(1) picks and avoid sending a burst to the single fastest instance.
 * Latencies are fed by Engine.release while the service uses this algorithm
 * (client aborts excluded); after a switch the estimates re-converge in ~10 s.
 * Cost: two draws, one clock read and two Math.exp per pick.
 */

import type { InstanceState } from "./instance-state";
import { PowerOfTwoChoicesPicker } from "./power-of-two-choices";

export class LeastResponseTimePicker extends PowerOfTwoChoicesPicker {
  protected override pickTime(): number {
    return this.ctx.clock.now();
  }

  protected override cost(instance: InstanceState, now: number): number {
    return instance.ewma.cost(now, instance.active);
  }
}
