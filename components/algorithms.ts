// The balancing algorithms an operator can choose, each with one line on what
// it does (the engine's pickers: server/engine/*). The names are the API's.
import type { RouterInputs } from "@/server/trpc";

export type Algorithm = RouterInputs["manage"]["setAlgorithm"]["algorithm"];

export const ALGORITHM_CHOICES: readonly { value: Algorithm; label: string; description: string }[] = [
  { value: "round_robin", label: "Round robin", description: "Each available instance in turn, ignoring weights." },
  { value: "least_connections", label: "Least connections", description: "The instance with the fewest requests in flight." },
  { value: "weighted_round_robin", label: "Weighted round robin", description: "Smooth round robin by weight: weights 1:1:3 give 1:1:3 of the traffic, interleaved." },
  { value: "random", label: "Random", description: "A uniformly random available instance." },
  { value: "power_of_two_choices", label: "Power of two choices", description: "Two random instances; the less loaded one wins." },
  { value: "least_response_time", label: "Least response time", description: "Lowest peak-EWMA latency × (requests in flight + 1)." },
  { value: "consistent_hash", label: "Consistent hash", description: "The same client key goes to the same instance; few keys move when instances change." },
];

export function isAlgorithm(value: string): value is Algorithm {
  return ALGORITHM_CHOICES.some((a) => a.value === value);
}

export const algorithmLabel = (value: string): string => ALGORITHM_CHOICES.find((a) => a.value === value)?.label ?? value.replaceAll("_", " ");
