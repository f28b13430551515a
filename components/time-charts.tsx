"use client";
// The service page's charts (recharts). Each sits in a fixed-height box so
// loading, empty and drawn states take the same space and nothing jumps.
import { useId, type ReactElement, type ReactNode } from "react";
import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { HealthPoint, InstancePoint, InstanceRatesRow, ServicePoint } from "./chart-data";
import { formatDateTime, formatDecimal, formatMs, formatPercent, formatRps, timeTickFormatter, tooltipNumber } from "./format";

export const CHART_HEIGHT = 240;
export const NO_TRAFFIC = "No traffic recorded in this range";
const INSTANCE_COLORS = ["#2457c5", "#d97706", "#059669", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#b42318"];
export const instanceColor = (index: number): string => INSTANCE_COLORS[index % INSTANCE_COLORS.length] ?? "#2457c5";

export type ChartStatus = { kind: "loading" } | { kind: "error"; message: string } | { kind: "ready" };

interface FrameProps {
  title: string;
  unit: string;
  testId: string;
  status: ChartStatus;
  /** Shown instead of the chart when the data has nothing to draw. */
  empty: string | undefined;
  children: ReactNode;
}

/** A chart's figure: heading, unit, and a fixed-height body for every state. */
export function ChartFrame({ title, unit, testId, status, empty, children }: FrameProps) {
  const headingId = useId();
  let body: ReactNode;
  if (status.kind === "loading") body = <p className="chart-message muted">Loading…</p>;
  else if (status.kind === "error")
    body = (
      <p role="alert" className="chart-message error">
        Could not load this chart: {status.message}
      </p>
    );
  else if (empty !== undefined) body = <p className="chart-message empty">{empty}</p>;
  else body = children;
  return (
    <figure className="chart" data-testid={testId} aria-labelledby={headingId} aria-busy={status.kind === "loading"}>
      <figcaption>
        <h3 id={headingId}>{title}</h3>
        <span className="muted small">{unit}</span>
      </figcaption>
      <div className="chart-body" style={{ height: CHART_HEIGHT }}>
        {body}
      </div>
    </figure>
  );
}

function Container({ children }: { children: ReactElement }) {
  return (
    <ResponsiveContainer width="100%" height={CHART_HEIGHT} initialDimension={{ width: 520, height: CHART_HEIGHT }}>
      {children}
    </ResponsiveContainer>
  );
}

const MARGIN = { top: 8, right: 16, bottom: 0, left: 4 };
const AXIS_TICK = { fontSize: 12, fill: "#5b6575" };
const labelTime = (label: unknown): string => (typeof label === "number" ? formatDateTime(label) : typeof label === "string" ? label : "");

/** The x axis: the requested range when given (stored ranges), else the data's own extent (live). */
export type TimeDomain = readonly [number, number] | undefined;

function timeAxis(spanMs: number, domain: TimeDomain) {
  return (
    <XAxis
      dataKey="t"
      type="number"
      scale="time"
      domain={domain === undefined ? ["dataMin", "dataMax"] : [domain[0], domain[1]]}
      allowDataOverflow
      tickFormatter={timeTickFormatter(spanMs)}
      tick={AXIS_TICK}
      minTickGap={48}
    />
  );
}

interface ServiceChartProps {
  points: readonly ServicePoint[];
  spanMs: number;
  domain: TimeDomain;
  status: ChartStatus;
}

/** Few points: draw them as dots too, so a single bucket is visible. */
const dotsFor = (count: number) => (count <= 30 ? { r: 2.5 } : false);

const hasTraffic = (points: readonly ServicePoint[]) => points.some((p) => p.requestsPerSecond > 0);

export function ResponseTimeChart({ points, spanMs, domain, status }: ServiceChartProps) {
  return (
    <ChartFrame title="Response time" unit="p50 / p95 / p99, milliseconds" testId="chart-response-time" status={status} empty={hasTraffic(points) ? undefined : NO_TRAFFIC}>
      <Container>
        <LineChart data={points} margin={MARGIN}>
          <CartesianGrid stroke="#e6e9ef" vertical={false} />
          {timeAxis(spanMs, domain)}
          <YAxis tickFormatter={(v: number) => `${v} ms`} tick={AXIS_TICK} width={64} />
          <Tooltip formatter={tooltipNumber(formatMs)} labelFormatter={labelTime} isAnimationActive={false} />
          <Legend />
          <Line connectNulls dataKey="p50Ms" name="p50" stroke="#059669" dot={dotsFor(points.length)} isAnimationActive={false} strokeWidth={1.5} />
          <Line connectNulls dataKey="p95Ms" name="p95" stroke="#d97706" dot={dotsFor(points.length)} isAnimationActive={false} strokeWidth={2} />
          <Line connectNulls dataKey="p99Ms" name="p99" stroke="#b42318" dot={dotsFor(points.length)} isAnimationActive={false} strokeWidth={1.5} />
        </LineChart>
      </Container>
    </ChartFrame>
  );
}

export function ThroughputChart({ rows, ids, spanMs, domain, status }: { rows: readonly InstanceRatesRow[]; ids: readonly string[]; spanMs: number; domain: TimeDomain; status: ChartStatus }) {
  const traffic = rows.some((r) => Object.values(r.values).some((v) => v > 0));
  return (
    <ChartFrame title="Throughput by instance" unit="requests per second, stacked" testId="chart-throughput" status={status} empty={traffic ? undefined : NO_TRAFFIC}>
      <Container>
        <AreaChart data={rows} margin={MARGIN}>
          <CartesianGrid stroke="#e6e9ef" vertical={false} />
          {timeAxis(spanMs, domain)}
          <YAxis tickFormatter={(v: number) => `${v} req/s`} tick={AXIS_TICK} width={84} />
          <Tooltip formatter={tooltipNumber(formatRps)} labelFormatter={labelTime} isAnimationActive={false} />
          <Legend />
          {ids.map((id, index) => (
            <Area
              key={id}
              name={id}
              dataKey={(row: InstanceRatesRow) => row.values[id] ?? 0}
              stackId="rps"
              type="linear"
              stroke={instanceColor(index)}
              fill={instanceColor(index)}
              fillOpacity={0.3}
              dot={dotsFor(rows.length)}
              isAnimationActive={false}
            />
          ))}
        </AreaChart>
      </Container>
    </ChartFrame>
  );
}

export function ErrorRateChart({ points, spanMs, domain, status }: ServiceChartProps) {
  return (
    <ChartFrame title="Error rate" unit="failed requests, percent" testId="chart-error-rate" status={status} empty={hasTraffic(points) ? undefined : NO_TRAFFIC}>
      <Container>
        <AreaChart data={points} margin={MARGIN}>
          <CartesianGrid stroke="#e6e9ef" vertical={false} />
          {timeAxis(spanMs, domain)}
          <YAxis tickFormatter={(v: number) => `${v}%`} tick={AXIS_TICK} width={52} domain={[0, (max: number) => Math.max(1, Math.ceil(max))]} />
          <Tooltip formatter={tooltipNumber(formatPercent)} labelFormatter={labelTime} isAnimationActive={false} />
          <Legend />
          <Area dataKey="errorPercent" name="errors" type="linear" stroke="#b42318" fill="#b42318" fillOpacity={0.2} dot={dotsFor(points.length)} isAnimationActive={false} />
        </AreaChart>
      </Container>
    </ChartFrame>
  );
}

export function ConnectionsChart({ points, spanMs, domain, status }: ServiceChartProps) {
  const any = points.some((p) => p.activeConnections > 0 || p.requestsPerSecond > 0);
  return (
    <ChartFrame title="Active connections" unit="in-flight requests" testId="chart-connections" status={status} empty={any ? undefined : NO_TRAFFIC}>
      <Container>
        <LineChart data={points} margin={MARGIN}>
          <CartesianGrid stroke="#e6e9ef" vertical={false} />
          {timeAxis(spanMs, domain)}
          <YAxis tick={AXIS_TICK} width={68} allowDecimals={false} tickFormatter={(v: number) => `${v} conn`} />
          <Tooltip formatter={tooltipNumber(formatDecimal)} labelFormatter={labelTime} isAnimationActive={false} />
          <Legend />
          <Line dataKey="activeConnections" name="active" stroke="#7c3aed" dot={dotsFor(points.length)} type="linear" isAnimationActive={false} strokeWidth={1.5} />
        </LineChart>
      </Container>
    </ChartFrame>
  );
}

export function HealthChart({ points, spanMs, domain, status }: { points: readonly HealthPoint[]; spanMs: number; domain: TimeDomain; status: ChartStatus }) {
  return (
    <ChartFrame title="Instance health" unit="healthy vs unhealthy instances" testId="chart-health" status={status} empty={points.length === 0 ? "No samples recorded in this range" : undefined}>
      <Container>
        <AreaChart data={points} margin={MARGIN}>
          <CartesianGrid stroke="#e6e9ef" vertical={false} />
          {timeAxis(spanMs, domain)}
          <YAxis tick={AXIS_TICK} width={68} allowDecimals={false} tickFormatter={(v: number) => `${v} inst`} />
          <Tooltip formatter={tooltipNumber((n) => String(n))} labelFormatter={labelTime} isAnimationActive={false} />
          <Legend />
          <Area dataKey="healthy" name="healthy" stackId="h" type="stepAfter" stroke="#059669" fill="#059669" fillOpacity={0.3} dot={dotsFor(points.length)} isAnimationActive={false} />
          <Area dataKey="unhealthy" name="unhealthy" stackId="h" type="stepAfter" stroke="#b42318" fill="#b42318" fillOpacity={0.3} isAnimationActive={false} />
        </AreaChart>
      </Container>
    </ChartFrame>
  );
}

export function InstanceChart({ id, points, spanMs, domain, status }: { id: string; points: readonly InstancePoint[]; spanMs: number; domain: TimeDomain; status: ChartStatus }) {
  const traffic = points.some((p) => p.requestsPerSecond > 0);
  return (
    <ChartFrame title={`Instance ${id}`} unit="p95 in ms (left), throughput in req/s (right)" testId={`chart-instance-${id}`} status={status} empty={traffic ? undefined : NO_TRAFFIC}>
      <Container>
        <LineChart data={points} margin={MARGIN}>
          <CartesianGrid stroke="#e6e9ef" vertical={false} />
          {timeAxis(spanMs, domain)}
          <YAxis yAxisId="ms" tickFormatter={(v: number) => `${v} ms`} tick={AXIS_TICK} width={64} />
          <YAxis yAxisId="rps" orientation="right" tickFormatter={(v: number) => `${v} req/s`} tick={AXIS_TICK} width={84} />
          <Tooltip
            formatter={(value: unknown, name: unknown) => (typeof value === "number" ? (name === "p95" ? formatMs(value) : formatRps(value)) : "")}
            labelFormatter={labelTime}
            isAnimationActive={false}
          />
          <Legend />
          <Line connectNulls yAxisId="ms" dataKey="p95Ms" name="p95" stroke="#d97706" dot={dotsFor(points.length)} isAnimationActive={false} strokeWidth={2} />
          <Line yAxisId="rps" dataKey="requestsPerSecond" name="throughput" stroke="#2457c5" dot={dotsFor(points.length)} isAnimationActive={false} strokeWidth={1.5} />
        </LineChart>
      </Container>
    </ChartFrame>
  );
}
