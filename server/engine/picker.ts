/**
 * The one Picker interface (gRPC-Go balancer.Picker): the registry filters the
 * eligible instances once into an immutable snapshot, rebuilt only when
 * something changes, and hands it to a picker built for that snapshot.
 *
 * Contract: pickers never filter and never do I/O; pick() returns a member of
 * the snapshot other than `exclude` (or undefined when there is none), and is
 * O(1) or O(log n). `activeChanged` is called after each acquire/release of a
 * member; `dispose` when the snapshot is replaced, so state that must outlive a
 * snapshot (RR position, WRR current weights) is written back to `memory` or to
 * the instances. consistent_hash is the one documented exception: it walks a
 * ring built over every weighted instance and reads each owner's `eligible` flag.
 */

import type { HashRing } from "./hash-ring";
import type { InstanceState } from "./instance-state";
import type { Clock, Rng } from "./types";

/** Per-service picker state that survives snapshot rebuilds. */
export interface PickerMemory {
  /** seq of the instance round_robin picked last (-1: none). */
  rrLastSeq: number;
  /** Monotonic stamp source for least_connections' round-robin tie break. */
  lcCounter: number;
}

export interface PickerContext {
  readonly rng: Rng;
  readonly clock: Clock;
  readonly memory: PickerMemory;
  /** Ring over every weighted instance of the service (consistent_hash only). */
  readonly ring: HashRing | undefined;
}

export interface Picker {
  pick(exclude: InstanceState | undefined, hashKey: string | undefined): InstanceState | undefined;
  activeChanged(instance: InstanceState): void;
  dispose(): void;
}
