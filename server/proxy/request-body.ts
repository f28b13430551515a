/**
 * What the proxy does with a request body before it picks an instance:
 *  - none: no body (most GETs);
 *  - too_large: Content-Length over the limit → 413 before any upstream is contacted;
 *  - buffer: bodies up to `bufferLimitBytes` are read into one Buffer. One write
 *    upstream instead of a stream (cheaper), and the body can be replayed on a
 *    retry;
 *  - stream: larger bodies are streamed to the instance as they arrive,
 *    counted, and cut (413 if nothing was answered yet) past the limit; they
 *    are never retried.
 */
import type { IncomingMessage } from "node:http";

export type RequestBody =
  | { kind: "none" }
  | { kind: "too_large" }
  | { kind: "buffer"; data: Buffer }
  | { kind: "stream"; /** bytes already read and held back, to send first */ head: Buffer[] }
  | { kind: "aborted" };

export const NO_BODY: RequestBody = Object.freeze({ kind: "none" });
const TOO_LARGE: RequestBody = Object.freeze({ kind: "too_large" });
const ABORTED: RequestBody = Object.freeze({ kind: "aborted" });

export function declaredLength(req: IncomingMessage): number | undefined {
  const value = req.headers["content-length"];
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

export function hasBody(req: IncomingMessage): boolean {
  if (req.headers["transfer-encoding"] !== undefined) return true;
  const length = req.headers["content-length"];
  return length !== undefined && length !== "0";
}

/**
 * Classifies the body, reading at most `bufferLimitBytes` of it. For a
 * "stream" result the request is paused with the bytes read so far in `head`.
 */
export function readRequestBody(
  req: IncomingMessage,
  bufferLimitBytes: number,
  maxBodyBytes: number,
  done: (body: RequestBody) => void,
): void {
  if (!hasBody(req)) {
    done(NO_BODY);
    return;
  }
  const length = declaredLength(req);
  if (length !== undefined && length > maxBodyBytes) {
    done(TOO_LARGE);
    return;
  }
  if (length !== undefined && length > bufferLimitBytes) {
    done({ kind: "stream", head: [] });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (body: RequestBody) => {
    if (finished) return;
    finished = true;
    req.off("data", onData);
    req.off("end", onEnd);
    req.off("error", onError);
    req.off("close", onClose);
    done(body);
  };
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size > maxBodyBytes) {
      finish(TOO_LARGE);
    } else if (size > bufferLimitBytes) {
      req.pause();
      finish({ kind: "stream", head: chunks });
    }
  };
  const onEnd = () => finish({ kind: "buffer", data: chunks.length === 1 ? (chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(chunks, size) });
  const onError = () => finish(ABORTED);
  const onClose = () => {
    if (!req.complete) finish(ABORTED);
  };
  req.on("data", onData);
  req.on("end", onEnd);
  req.on("error", onError);
  req.on("close", onClose);
}
