"use client";
// The service page's time range: presets, a custom from/to, and the Live toggle.
import { useId, useState, type SyntheticEvent } from "react";
import type { LastRange, RangeChoice } from "./chart-data";
import { toDateTimeLocal } from "./format";

const PRESETS: { last: LastRange; label: string }[] = [
  { last: "5m", label: "5 min" },
  { last: "1h", label: "1 h" },
  { last: "24h", label: "24 h" },
  { last: "7d", label: "7 days" },
];

function rangeProblem(fromMs: number, toMs: number): string | undefined {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) return "Enter both a start and an end.";
  if (toMs <= fromMs) return "The end must be after the start.";
  if (toMs - fromMs > 90 * 86_400_000) return "A range spans at most 90 days.";
  return undefined;
}

interface Props {
  range: RangeChoice;
  onRange: (range: RangeChoice) => void;
  live: boolean;
  liveAvailable: boolean;
  onLive: (live: boolean) => void;
  /** Reads the range again; absent while live. */
  onRefresh: (() => void) | undefined;
  refreshing: boolean;
}

export function RangePicker({ range, onRange, live, liveAvailable, onLive, onRefresh, refreshing }: Props) {
  const fromId = useId();
  const toId = useId();
  const liveId = useId();
  const [customOpen, setCustomOpen] = useState(range.kind === "custom");
  const [from, setFrom] = useState(() => toDateTimeLocal(Date.now() - 3_600_000));
  const [to, setTo] = useState(() => toDateTimeLocal(Date.now()));
  const [problem, setProblem] = useState<string | undefined>();

  const apply = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    const fromMs = new Date(from).getTime();
    const toMs = new Date(to).getTime();
    const problem = rangeProblem(fromMs, toMs);
    setProblem(problem);
    if (problem === undefined) onRange({ kind: "custom", from: fromMs, to: toMs });
  };

  return (
    <div className="range-picker">
      <div className="range-bar">
        <div role="group" aria-label="Time range" className="segmented">
          {PRESETS.map((p) => (
            <button
              key={p.last}
              type="button"
              aria-pressed={range.kind === "last" && range.last === p.last}
              onClick={() => {
                setCustomOpen(false);
                onRange({ kind: "last", last: p.last });
              }}
            >
              {p.label}
            </button>
          ))}
          <button type="button" aria-pressed={range.kind === "custom" || customOpen} aria-expanded={customOpen} onClick={() => setCustomOpen((open) => !open)}>
            Custom…
          </button>
        </div>
        <div className="toggle" title={liveAvailable ? "Append a point every second" : "Live is available for the last 5 minutes"}>
          <input id={liveId} type="checkbox" checked={live} disabled={!liveAvailable} onChange={(e) => onLive(e.target.checked)} />
          <label htmlFor={liveId}>Live</label>
        </div>
        {onRefresh !== undefined && (
          <button type="button" className="secondary" onClick={onRefresh} disabled={refreshing}>
            {refreshing ? "Refreshing…" : "Refresh"}
          </button>
        )}
      </div>
      {customOpen && (
        <form className="custom-range" onSubmit={apply} aria-label="Custom range">
          <label htmlFor={fromId}>From</label>
          <input id={fromId} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} required />
          <label htmlFor={toId}>To</label>
          <input id={toId} type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} required />
          <button type="submit">Apply</button>
          {problem !== undefined && (
            <p role="alert" className="error">
              {problem}
            </p>
          )}
        </form>
      )}
    </div>
  );
}
