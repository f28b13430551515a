/**
 * The engine's one error type. Its code is mapped to a tRPC code by one formatter
 * (NOT_FOUND → NOT_FOUND, CONFLICT → CONFLICT, INVALID → BAD_REQUEST).
 *
 * Invariant: engine methods called with unknown names throw NOT_FOUND, illegal
 * state transitions throw CONFLICT, and rejected configs throw INVALID (carrying
 * the RangeError from the validator as `cause`).
 */

export type EngineErrorCode = "NOT_FOUND" | "CONFLICT" | "INVALID";

export class EngineError extends Error {
  readonly code: EngineErrorCode;

  constructor(code: EngineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EngineError";
    this.code = code;
  }
}
