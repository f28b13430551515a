/**
 * Picker factory: one switch from Algorithm to its module (exhaustive, so a new
 * algorithm cannot be added to ALGORITHMS without a picker). Cost: the picker's
 * build cost, paid only when the registry rebuilds a snapshot.
 */

import { ConsistentHashPicker } from "./consistent-hash";
import type { InstanceState } from "./instance-state";
import { LeastConnectionsPicker } from "./least-connections";
import { LeastResponseTimePicker } from "./least-response-time";
import type { Picker, PickerContext } from "./picker";
import { PowerOfTwoChoicesPicker } from "./power-of-two-choices";
import { RandomPicker } from "./random";
import { RoundRobinPicker } from "./round-robin";
import type { Algorithm } from "./types";
import { createWeightedRoundRobinPicker } from "./weighted-round-robin";

export function createPicker(algorithm: Algorithm, snapshot: readonly InstanceState[], ctx: PickerContext): Picker {
  switch (algorithm) {
    case "round_robin":
      return new RoundRobinPicker(snapshot, ctx);
    case "least_connections":
      return new LeastConnectionsPicker(snapshot, ctx);
    case "weighted_round_robin":
      return createWeightedRoundRobinPicker(snapshot);
    case "random":
      return new RandomPicker(snapshot, ctx);
    case "power_of_two_choices":
      return new PowerOfTwoChoicesPicker(snapshot, ctx);
    case "least_response_time":
      return new LeastResponseTimePicker(snapshot, ctx);
    case "consistent_hash":
      return new ConsistentHashPicker(snapshot, ctx);
  }
}
