/**
 * Peak-EWMA latency estimate of one instance (Finagle's PeakEwma, as ported in
 * tower `load/peak_ewma.rs`): a slower sample raises the estimate at once (peak),
 * faster samples pull it down exponentially with time constant `decayMs`, and
 * with no samples it decays toward zero so idle instances get tried again.
 *
 * cost = max(estimateUs, 1) × (active + 1). The 1 µs floor replaces Finagle's
 * "penalty" branch: a fully decayed estimate still ranks by outstanding requests.
 * Defaults are linkerd2-proxy's: 30 ms initial RTT, 10 s decay.
 * Cost: O(1), one Math.exp per read/update; time from the injected clock.
 */

export const DEFAULT_RTT_US = 30_000;
export const DEFAULT_DECAY_MS = 10_000;

export class PeakEwma {
  private estimateUs: number;
  private updatedAt: number;
  private readonly decayMs: number;

  constructor(now: number, initialUs = DEFAULT_RTT_US, decayMs = DEFAULT_DECAY_MS) {
    if (!(initialUs >= 0) || !Number.isFinite(initialUs)) throw new RangeError(`PeakEwma initialUs must be >= 0, got ${initialUs}`);
    if (!(decayMs > 0) || !Number.isFinite(decayMs)) throw new RangeError(`PeakEwma decayMs must be > 0, got ${decayMs}`);
    this.estimateUs = initialUs;
    this.updatedAt = now;
    this.decayMs = decayMs;
  }

  observe(now: number, rttUs: number): void {
    if (rttUs > this.estimateUs) {
      this.estimateUs = rttUs;
    } else {
      const decay = Math.exp(-Math.max(0, now - this.updatedAt) / this.decayMs);
      this.estimateUs = this.estimateUs * decay + rttUs * (1 - decay);
    }
    this.updatedAt = now;
  }

  /** Estimate decayed to `now` (not stored). */
  estimate(now: number): number {
    return this.estimateUs * Math.exp(-Math.max(0, now - this.updatedAt) / this.decayMs);
  }

  cost(now: number, active: number): number {
    return Math.max(this.estimate(now), 1) * (active + 1);
  }
}
