/**
 * Retry budget (Envoy's `retry_budget`: budget_percent 20 %, min_retry_concurrency 3):
 * retries in flight may be at most 20 % of the requests in flight, and at
 * least 3 are always allowed. Under a broad outage retries cannot multiply
 * the load on the instances still standing.
 */
export class RetryBudget {
  #active = 0;
  #retries = 0;

  constructor(
    readonly ratio = 0.2,
    readonly minConcurrency = 3,
  ) {
    if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`retry budget ratio must be within 0..1, got ${ratio}`);
    if (!Number.isInteger(minConcurrency) || minConcurrency < 0) {
      throw new RangeError(`retry budget minConcurrency must be a non-negative integer, got ${minConcurrency}`);
    }
  }

  requestStarted(): void {
    this.#active++;
  }

  requestFinished(): void {
    this.#active--;
  }

  /** Takes a retry slot if the budget allows one; give it back with retryFinished(). */
  tryRetry(): boolean {
    if (this.#retries >= Math.max(this.minConcurrency, Math.floor(this.#active * this.ratio))) return false;
    this.#retries++;
    return true;
  }

  retryFinished(): void {
    this.#retries--;
  }

  get activeRequests(): number {
    return this.#active;
  }

  get activeRetries(): number {
    return this.#retries;
  }
}
