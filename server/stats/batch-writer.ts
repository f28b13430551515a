/**
 * A bounded buffer of rows written to the database in batches, shared by the
 * stats recorder and the event store.
 *
 * Invariants: rows leave the buffer only once their batch was written (a
 * failed write keeps them for the next flush); at most one flush runs at a
 * time, and a flush that finds nothing to write leaves nothing behind (the
 * next call writes again); past `maxBuffered` the oldest rows not being
 * written are dropped and reported through `onDrop`. Nothing is dropped
 * silently.
 */
export interface BatchWriterOptions<Row> {
  write: (rows: readonly Row[]) => Promise<unknown>;
  maxBuffered: number;
  batchSize: number;
  onDrop?: (count: number, reason: string) => void;
  onError?: (error: unknown) => void;
}

export class BatchWriter<Row> {
  readonly #buffer: Row[] = [];
  #written = 0;
  #dropped = 0;
  /** Rows at the head of the buffer being written now: overflow never drops those. */
  #writing = 0;
  #flushing: Promise<boolean> | undefined;

  constructor(private readonly options: BatchWriterOptions<Row>) {
    if (!(options.maxBuffered >= 1) || !(options.batchSize >= 1)) {
      throw new RangeError(`maxBuffered (${options.maxBuffered}) and batchSize (${options.batchSize}) must be >= 1`);
    }
  }

  push(rows: readonly Row[]): void {
    this.#buffer.push(...rows);
    const { maxBuffered } = this.options;
    if (this.#buffer.length > maxBuffered) {
      const excess = Math.min(this.#buffer.length - maxBuffered, this.#buffer.length - this.#writing);
      this.#buffer.splice(this.#writing, excess);
      this.#dropped += excess;
      this.options.onDrop?.(excess, `buffer full (${maxBuffered} rows) while the database is unreachable`);
    }
  }

  /** Writes everything buffered; resolves false if the database refused (rows are kept). */
  flush(): Promise<boolean> {
    if (this.#flushing !== undefined) return this.#flushing;
    // Assigned before it can settle and cleared in a later turn, so a flush
    // that completes synchronously (nothing to write) cannot stick.
    const run = this.#run();
    this.#flushing = run;
    void run.finally(() => {
      if (this.#flushing === run) this.#flushing = undefined;
    });
    return run;
  }

  async #run(): Promise<boolean> {
    try {
      while (this.#buffer.length > 0) {
        const batch = this.#buffer.slice(0, this.options.batchSize);
        this.#writing = batch.length;
        await this.options.write(batch);
        // Only now are they safe: remove exactly what was written (rows may have been appended meanwhile).
        this.#buffer.splice(0, batch.length);
        this.#written += batch.length;
      }
      return true;
    } catch (error) {
      this.options.onError?.(error);
      return false;
    } finally {
      this.#writing = 0;
    }
  }

  /** Flushes until empty or `timeoutMs` passed; what is left is dropped and reported. */
  async drain(timeoutMs: number, reasonIfLeft: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#buffer.length > 0 && Date.now() < deadline) {
      if (!(await this.flush())) await new Promise((r) => setTimeout(r, 200));
    }
    if (this.#buffer.length > 0) {
      const left = this.#buffer.length;
      this.#buffer.length = 0;
      this.#dropped += left;
      this.options.onDrop?.(left, reasonIfLeft);
    }
  }

  counts(): { buffered: number; dropped: number; written: number } {
    return { buffered: this.#buffer.length, dropped: this.#dropped, written: this.#written };
  }
}
