/**
 * The registry's mutable record of one instance: its config, live counters, its
 * health tracker, circuit breaker and peak-EWMA estimate, its stats window, and
 * a few scratch fields owned by the pickers (position in the eligible snapshot,
 * heap slot, WRR current weight, least-connections tie stamp).
 *
 * Invariants: `eligible` is recomputed by the registry after every change that
 * can affect it (O(1)); `snapIndex` is meaningful only when
 * `snapshot[snapIndex] === this` (see inSnapshot); `seq` orders instances by
 * registration, which is the order of every snapshot.
 * Cost: O(1) memory besides the lazily allocated latency histogram.
 */

import { CircuitBreaker } from "./breaker";
import type { BreakerTransition, HealthTransition } from "./events";
import { HealthTracker } from "./health";
import { PeakEwma } from "./peak-ewma";
import { StatsWindow } from "./stats";
import { originOf, type BreakerSettings, type HealthSettings, type InstanceConfig, type InstanceId } from "./types";

export class InstanceState {
  readonly id: InstanceId;
  readonly seq: number;
  host: string;
  port: number;
  /** `host:port`, kept in step with host and port by the registry (see originOf). */
  origin: string;
  weight: number;
  enabled: boolean;
  draining: boolean;
  source: string | null;

  active = 0;
  totalRequests = 0;
  failedRequests = 0;
  readonly health: HealthTracker;
  readonly breaker: CircuitBreaker;
  readonly ewma: PeakEwma;
  readonly stats = new StatsWindow();

  /** Could acquire() pick it now (enabled, not draining, weight > 0, not unhealthy, breaker admits, below max)? */
  eligible = false;
  removed = false;

  // Picker scratch (see the pickers).
  snapIndex = -1;
  heapIndex = -1;
  heapOwner: object | null = null;
  lcStamp = 0;
  wrrCurrent = 0;

  constructor(
    config: InstanceConfig,
    seq: number,
    now: number,
    breaker: BreakerSettings,
    health: HealthSettings,
    onBreaker: (t: BreakerTransition) => void,
    onHealth: (t: HealthTransition) => void,
  ) {
    this.id = config.id;
    this.seq = seq;
    this.host = config.host;
    this.port = config.port;
    this.origin = originOf(config.host, config.port);
    this.weight = config.weight;
    this.enabled = config.enabled;
    this.draining = config.draining;
    this.source = config.source ?? null;
    this.breaker = new CircuitBreaker(breaker, onBreaker);
    this.health = new HealthTracker(health, onHealth);
    this.ewma = new PeakEwma(now);
  }
}

/** Is `instance` a member of `snapshot` (O(1))? */
export function inSnapshot(snapshot: readonly InstanceState[], instance: InstanceState | undefined): instance is InstanceState {
  return instance !== undefined && snapshot[instance.snapIndex] === instance;
}
