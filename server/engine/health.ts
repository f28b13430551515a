/**
 * Health state of one instance from active checks, with HAProxy's rise/fall
 * hysteresis (DEFAULT_HEALTH: rise 2, fall 3).
 *
 *   unknown ──first pass──────────────────────────► healthy
 *   unknown ──unhealthyThreshold consecutive fails─► unhealthy
 *   healthy ──unhealthyThreshold consecutive fails─► unhealthy
 *   unhealthy ──healthyThreshold consecutive passes► healthy
 *
 * Decision: a new instance starts "unknown" and takes traffic, and its first pass
 * makes it healthy at once (HAProxy starts servers up, too), so a freshly
 * registered instance is never held back for healthyThreshold intervals.
 * Invariant: at most one of consecutivePasses / consecutiveFails is non-zero.
 * Cost: O(1).
 */

import type { HealthTransition } from "./events";
import type { HealthSettings, HealthStatus } from "./types";

export class HealthTracker {
  status: HealthStatus = "unknown";
  consecutivePasses = 0;
  consecutiveFails = 0;
  lastReason: string | undefined;
  settings: HealthSettings;
  private readonly emit: (transition: HealthTransition) => void;

  constructor(settings: HealthSettings, emit: (transition: HealthTransition) => void) {
    this.settings = settings;
    this.emit = emit;
  }

  record(now: number, passed: boolean, reason?: string): void {
    this.lastReason = reason;
    if (passed) {
      this.consecutivePasses++;
      this.consecutiveFails = 0;
      if (this.status === "unknown") {
        this.change(now, "healthy", reason ?? "first health check passed");
      } else if (this.status === "unhealthy" && this.consecutivePasses >= this.settings.healthyThreshold) {
        this.change(now, "healthy", withDetail(`${this.consecutivePasses} consecutive checks passed`, reason));
      }
    } else {
      this.consecutiveFails++;
      this.consecutivePasses = 0;
      if (this.status !== "unhealthy" && this.consecutiveFails >= this.settings.unhealthyThreshold) {
        this.change(now, "unhealthy", withDetail(`${this.consecutiveFails} consecutive checks failed`, reason));
      }
    }
  }

  private change(now: number, to: HealthStatus, reason: string): void {
    const from = this.status;
    this.status = to;
    this.emit({ type: "health_changed", from, to, at: now, reason });
  }
}

function withDetail(summary: string, detail: string | undefined): string {
  return detail === undefined || detail.length === 0 ? summary : `${summary} (last: ${detail})`;
}
