/**
 * Interval counters of one service or instance, taken and reset by
 * Engine.drainStats() (one timer in the stats ring drives every window).
 *
 * Invariants: requests = Σ outcome counters; failed counts exactly the outcomes
 * isFailure() accepts. The window IS its latency histogram (extends it) rather
 * than holding one: at 10,000 instances every pointer chase on the release path
 * is a likely cache miss, and this saves one.
 * Cost: record O(1), no allocation after a row's first use; drain O(touched buckets).
 */

import { LatencyHistogram } from "./histogram";
import { isFailure } from "./types";
import type { Outcome, WindowStats } from "./types";

export class StatsWindow extends LatencyHistogram {
  requests = 0;
  failed = 0;
  failed5xx = 0;
  failedConnect = 0;
  failedTimeout = 0;
  clientAborts = 0;
  status4xx = 0;
  recordOutcome(outcome: Outcome, latencyUs: number): void {
    this.record(latencyUs);
    this.requests++;
    if (isFailure(outcome)) this.failed++;
    switch (outcome) {
      case "success":
        return;
      case "http_5xx":
        this.failed5xx++;
        return;
      case "connect_error":
        this.failedConnect++;
        return;
      case "timeout":
        this.failedTimeout++;
        return;
      case "client_abort":
        this.clientAborts++;
        return;
      case "http_4xx":
        this.status4xx++;
        return;
    }
  }

  /** Returns the interval's figures and starts a new interval. */
  take(activeConnections: number): WindowStats {
    const out: WindowStats = {
      requests: this.requests,
      failed: this.failed,
      failed5xx: this.failed5xx,
      failedConnect: this.failedConnect,
      failedTimeout: this.failedTimeout,
      clientAborts: this.clientAborts,
      status4xx: this.status4xx,
      activeConnections,
      latency: this.summary(),
      histogram: this.encode(),
    };
    this.requests = 0;
    this.failed = 0;
    this.failed5xx = 0;
    this.failedConnect = 0;
    this.failedTimeout = 0;
    this.clientAborts = 0;
    this.status4xx = 0;
    this.reset();
    return out;
  }
}
