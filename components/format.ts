// Number and time formatting shared by the dashboard's pages: one decimal for
// rates, milliseconds and percentages, local times for chart axes and events.

const oneDecimal = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** Requests per second, one decimal: "12.3 req/s". */
export const formatRps = (requestsPerSecond: number): string => `${oneDecimal.format(requestsPerSecond)} req/s`;
/** Milliseconds, one decimal: "58.2 ms". */
export const formatMs = (ms: number): string => `${oneDecimal.format(ms)} ms`;
/** A ratio (0..1) as a percentage, one decimal: "1.5 %". */
export const formatRatio = (ratio: number): string => `${oneDecimal.format(ratio * 100)} %`;
/** A value already in percent, one decimal. */
export const formatPercent = (percent: number): string => `${oneDecimal.format(percent)} %`;
/** A count with thousands separators. */
export const formatCount = (n: number): string => integer.format(n);
/** One decimal, no unit (averaged counts such as active connections). */
export const formatDecimal = (n: number): string => oneDecimal.format(n);

const timeOfDay = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const hourMinute = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" });
const dayHour = new Intl.DateTimeFormat("en-GB", { weekday: "short", hour: "2-digit", minute: "2-digit" });
const dateTime = new Intl.DateTimeFormat("en-GB", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** "14:03:27" */
export const formatTimeOfDay = (t: number): string => timeOfDay.format(t);
/** "25 Nov, 14:03:27" */
export const formatDateTime = (t: number): string => dateTime.format(t);

/** A tick formatter for a time axis spanning `spanMs`. */
export function timeTickFormatter(spanMs: number): (t: number) => string {
  if (spanMs <= 10 * 60_000) return (t) => timeOfDay.format(t);
  if (spanMs <= 36 * 3_600_000) return (t) => hourMinute.format(t);
  return (t) => dayHour.format(t);
}

/** Formats a recharts tooltip value that should be a number. */
export function tooltipNumber(format: (n: number) => string): (value: unknown) => string {
  return (value) => (typeof value === "number" ? format(value) : typeof value === "string" ? value : "");
}

/** Value for a datetime-local input (local time, minutes precision). */
export function toDateTimeLocal(t: number): string {
  const d = new Date(t);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
