/**
 * What a load generator is asked to do and what it reports, whichever one
 * runs it (wrk, or autocannon where wrk is missing).
 */

export interface LoadSpec {
  readonly url: string;
  readonly method: "GET" | "POST";
  /** Request body for POST (sent with Content-Length). */
  readonly body?: Buffer;
  readonly connections: number;
  readonly durationS: number;
  /** The core the generator is pinned to. */
  readonly core: number;
}

export interface LoadResult {
  /** Completed requests (any status). */
  readonly requests: number;
  readonly reqPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers outside 2xx/3xx. */
  readonly non2xx: number;
  /** Connect, read, write errors and timeouts. */
  readonly socketErrors: number;
}

export interface LoadGenerator {
  readonly name: string;
  run(spec: LoadSpec): Promise<LoadResult>;
  /** Removes its temporary files. */
  dispose(): void;
}

/** Errors and non-2xx answers as a share of requests (1 when nothing completed). */
export function errorRatio(result: LoadResult): number {
  const total = result.requests + result.socketErrors;
  return total === 0 ? 1 : (result.non2xx + result.socketErrors) / total;
}
