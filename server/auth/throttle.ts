/**
 * Sign-in throttling. Failed attempts are counted per (username, address)
 * pair, so an attacker hammering the admin account from one address is slowed
 * down there without locking the real admin out from elsewhere. After
 * `freeAttempts` failures each further one doubles the wait (1 s, 2 s, 4 s, …
 * up to `maxDelayMs`); a success clears the pair. Memory is bounded: the
 * oldest pairs are forgotten first.
 */
export class SignInThrottle {
  readonly #entries = new Map<string, { failures: number; blockedUntil: number }>();

  constructor(
    private readonly now: () => number = () => Date.now(),
    readonly freeAttempts = 5,
    readonly maxDelayMs = 15 * 60_000,
    readonly maxEntries = 10_000,
  ) {}

  /** Milliseconds to wait before this pair may try again (0: go ahead). */
  retryAfterMs(username: string, address: string): number {
    const entry = this.#entries.get(`${username.toLowerCase()}\u0000${address}`);
    return entry === undefined ? 0 : Math.max(0, entry.blockedUntil - this.now());
  }

  failed(username: string, address: string): void {
    const key = `${username.toLowerCase()}\u0000${address}`;
    const entry = this.#entries.get(key) ?? { failures: 0, blockedUntil: 0 };
    entry.failures++;
    if (entry.failures >= this.freeAttempts) {
      entry.blockedUntil = this.now() + Math.min(this.maxDelayMs, 1_000 * 2 ** (entry.failures - this.freeAttempts));
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  succeeded(username: string, address: string): void {
    this.#entries.delete(`${username.toLowerCase()}\u0000${address}`);
  }
}
