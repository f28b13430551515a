"use client";
// A tiny req/s area chart for a service card: no axes, fixed height.
import { Area, AreaChart, ResponsiveContainer, YAxis } from "recharts";

export interface SparkPoint {
  t: number;
  requestsPerSecond: number;
}

export function Sparkline({ points, label }: { points: readonly SparkPoint[]; label: string }) {
  return (
    <div className="sparkline" role="img" aria-label={label}>
      {points.length < 2 ? (
        <span className="sparkline-empty">waiting for data…</span>
      ) : (
        <ResponsiveContainer width="100%" height={48} initialDimension={{ width: 240, height: 48 }}>
          <AreaChart data={points} margin={{ top: 4, right: 0, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <YAxis hide domain={[0, "auto"]} />
            <Area
              dataKey="requestsPerSecond"
              type="monotone"
              stroke="var(--accent)"
              fill="var(--accent-soft)"
              strokeWidth={1.5}
              isAnimationActive={false}
              dot={false}
            />
          </AreaChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}
