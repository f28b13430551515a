"use client";
// The live instances of a service: health, breaker, weight, load, rates and
// latency, with a per-instance chart on demand; for operators, each row's
// controls (weight, enable, drain, remove).
import { useQuery } from "@tanstack/react-query";
import { Fragment, useMemo, useState } from "react";
import { instancePoints, rangeInput, rangeSpanMs, type RangeChoice } from "./chart-data";
import { formatCount, formatMs, formatRatio, formatRps } from "./format";
import { useLiveView, type LiveInstance, type LiveService } from "./live-view";
import { InstanceActions, WeightEditor } from "./instance-actions";
import { InstanceChart, type ChartStatus } from "./time-charts";
import { useTRPC } from "./trpc-provider";

export function InstancesTable({ service, range, live, canOperate = false }: { service: LiveService; range: RangeChoice; live: boolean; canOperate?: boolean }) {
  const columns = canOperate ? 11 : 10;
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  if (service.instances.length === 0) return <p className="empty">This service has no instances.</p>;
  return (
    <div className="table-scroll">
      <table className="table instances" aria-label="Instances">
        <thead>
          <tr>
            <th scope="col">Instance</th>
            <th scope="col">Health</th>
            <th scope="col">Breaker</th>
            <th scope="col" className="num">Weight</th>
            <th scope="col" className="num">Active</th>
            <th scope="col" className="num">Req/s</th>
            <th scope="col" className="num">Requests</th>
            <th scope="col" className="num">Errors</th>
            <th scope="col" className="num">p95</th>
            <th scope="col">Status</th>
            {canOperate && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {service.instances.map((instance) => (
            <Fragment key={instance.id}>
              <InstanceRow service={service.name} canOperate={canOperate} instance={instance} chartOpen={open.has(instance.id)} onToggle={() => toggle(instance.id)} />
              {open.has(instance.id) && (
                <tr className="chart-row">
                  <td colSpan={columns} id={`instance-chart-${instance.id}`}>
                    <InstanceChartPanel service={service.name} instanceId={instance.id} range={range} live={live} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function InstanceRow({
  service,
  canOperate,
  instance: i,
  chartOpen,
  onToggle,
}: {
  service: string;
  canOperate: boolean;
  instance: LiveInstance;
  chartOpen: boolean;
  onToggle: () => void;
}) {
  const source = i.source ?? "manual";
  const breakerTitle =
    i.breaker.state === "open" && i.breaker.halfOpenAt !== null
      ? `half-open at ${new Date(i.breaker.halfOpenAt).toLocaleTimeString()}`
      : `${i.breaker.consecutiveFailures} consecutive failures`;
  return (
    <tr data-testid={`instance-row-${i.id}`}>
      <th scope="row">
        <span className="instance-id">{i.id}</span>{" "}
        <span
          className={`badge badge-${source === "discovery" ? "info" : "muted"}`}
          data-testid="instance-source"
          title={source === "discovery" ? "Announced over MQTT service discovery" : "Added by an operator or the configuration file"}
        >
          {source}
        </span>
        <span className="muted small block">
          {i.host}:{i.port}
        </span>
        <button type="button" className="link-button small" aria-expanded={chartOpen} aria-controls={chartOpen ? `instance-chart-${i.id}` : undefined} onClick={onToggle}>
          {chartOpen ? "Hide chart" : "Show chart"}
          <span className="visually-hidden"> of {i.id}</span>
        </button>
      </th>
      <td data-testid="instance-health">
        <span className={`badge badge-${i.health === "healthy" ? "good" : i.health === "unhealthy" ? "bad" : "muted"}`} title={i.lastHealthReason ?? undefined}>
          {i.health}
        </span>
      </td>
      <td data-testid="instance-breaker">
        <span className={`badge badge-${i.breaker.state === "closed" ? "good" : i.breaker.state === "half_open" ? "warn" : "bad"}`} title={breakerTitle}>
          {i.breaker.state.replace("_", " ")}
        </span>
      </td>
      <td className="num" data-testid="instance-weight">
        {canOperate ? <WeightEditor service={service} instance={i} /> : i.weight}
      </td>
      <td className="num" data-testid="instance-active">
        {i.activeConnections}
      </td>
      <td className="num" data-testid="instance-rps">
        {formatRps(i.requestsPerSecond)}
      </td>
      <td className="num" data-testid="instance-requests">
        {formatCount(i.totalRequests)}
      </td>
      <td className="num" data-testid="instance-errors">
        {formatCount(i.failedRequests)}{" "}
        <span className="muted small" title="Share of all requests of this instance">
          ({formatRatio(i.totalRequests === 0 ? 0 : i.failedRequests / i.totalRequests)})
        </span>
      </td>
      <td className="num" data-testid="instance-p95">
        {formatMs(i.p95Ms)}
      </td>
      <td>
        <span className={`badge ${i.enabled ? "badge-good" : "badge-muted"}`}>{i.enabled ? "enabled" : "disabled"}</span>
        {i.draining && (
          <span className="badge badge-warn" data-testid="instance-draining" title="No new requests; the ones in flight finish">
            draining · {i.activeConnections} open
          </span>
        )}
        {!i.eligible && i.enabled && <span className="badge badge-bad" title="Not picked by the balancer right now">not eligible</span>}
      </td>
      {canOperate && (
        <td>
          <InstanceActions service={service} instance={i} />
        </td>
      )}
    </tr>
  );
}

function InstanceChartPanel({ service, instanceId, range, live }: { service: string; instanceId: string; range: RangeChoice; live: boolean }) {
  const trpc = useTRPC();
  const { frames } = useLiveView();
  const series = useQuery(
    trpc.stats.series.queryOptions(
      { service, instanceId, range: rangeInput(range) },
      { staleTime: live ? Infinity : 10_000, refetchInterval: live || range.kind === "custom" ? false : 30_000 },
    ),
  );
  const points = useMemo(() => instancePoints(series.data, frames, service, instanceId, live), [series.data, frames, service, instanceId, live]);
  const status: ChartStatus = series.isPending ? { kind: "loading" } : series.isError ? { kind: "error", message: series.error.message } : { kind: "ready" };
  const domain = !live && series.data ? ([series.data.from, series.data.to] as const) : undefined;
  return <InstanceChart id={instanceId} points={points} spanMs={rangeSpanMs(range)} domain={domain} status={status} />;
}
