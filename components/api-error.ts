// Turns a tRPC client error into words for a role="alert": the server's
// message, or for rejected input the zod messages per field (the server
// flattens them into data.zodError). Never the raw error object.

/** The part of a tRPC client error this module reads. */
export interface ApiErrorLike {
  readonly message: string;
  readonly data?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** Field → messages of a rejected input (empty when the server did not reject the input's shape). */
export function fieldErrors(error: ApiErrorLike | null | undefined): Record<string, string[]> {
  const zod = isRecord(error?.data) ? error.data.zodError : undefined;
  if (!isRecord(zod) || !isRecord(zod.fieldErrors)) return {};
  const out: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(zod.fieldErrors)) {
    const list = strings(messages);
    if (list.length > 0) out[field] = list;
  }
  return out;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** One readable sentence for an error: zod field messages joined, else the server's message. */
export function errorText(error: ApiErrorLike | null | undefined, labels: Record<string, string> = {}): string {
  if (error === null || error === undefined) return "";
  const zod = isRecord(error.data) ? error.data.zodError : undefined;
  if (isRecord(zod)) {
    const parts = strings(zod.formErrors);
    for (const [field, messages] of Object.entries(fieldErrors(error))) {
      for (const message of messages) parts.push(`${labels[field] ?? field}: ${message}`);
    }
    if (parts.length > 0) return capitalize(parts.join("; "));
  }
  return capitalize(error.message);
}
