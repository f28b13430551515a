"use client";
// The service page's live part: summary, range picker, charts, instances and
// breakers; for operators their controls, for admins the service's settings.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { instanceRateRows, rangeInput, rangeSpanMs, servicePoints, type RangeChoice } from "./chart-data";
import { AddInstanceForm } from "./add-instance-form";
import { AlgorithmForm } from "./algorithm-form";
import { algorithmLabel } from "./algorithms";
import { BreakersSection } from "./breakers-section";
import { formatMs, formatRatio, formatRps } from "./format";
import { InstancesTable } from "./instances-table";
import { LiveBadge, useLiveView, type LiveService } from "./live-view";
import { RangePicker } from "./range-picker";
import { DeleteService, ServiceSettingsForm } from "./service-settings-form";
import { roleAtLeast, useMe } from "./session";
import { ConnectionsChart, ErrorRateChart, HealthChart, ResponseTimeChart, ThroughputChart, type ChartStatus } from "./time-charts";
import { useTRPC } from "./trpc-provider";

export function ServiceView({ name }: { name: string }) {
  const { current, error } = useLiveView();
  const me = useMe();
  const canOperate = roleAtLeast(me?.role, "operator");
  const isAdmin = roleAtLeast(me?.role, "admin");
  if (error !== undefined)
    return (
      <p role="alert" className="error">
        Could not load the live view: {error}
      </p>
    );
  if (current === undefined) return <p className="muted">Loading service…</p>;
  const service = current.services.find((s) => s.name === name);
  if (service === undefined)
    return (
      <div className="notice" data-testid="unknown-service">
        <p>
          No service named “{name}”. It may have been removed, or it has not registered yet.
        </p>
        <p>
          <Link href="/">Back to the overview</Link>
        </p>
      </div>
    );
  return (
    <>
      <ServiceSummary service={service} />
      {canOperate ? (
        <section aria-labelledby="algorithm-heading">
          <h2 id="algorithm-heading">Algorithm</h2>
          <AlgorithmForm service={service.name} current={service.algorithm} />
        </section>
      ) : me !== undefined ? (
        <p className="muted small" data-testid="read-only-note">
          You are signed in as a {me.role}: you can watch this service; changing it needs the operator role.
        </p>
      ) : null}
      <ServiceDashboard service={service} canOperate={canOperate} />
      {isAdmin && (
        <>
          <section aria-labelledby="settings-heading">
            <h2 id="settings-heading">Service settings</h2>
            <ServiceSettingsForm service={service.name} />
          </section>
          <section aria-labelledby="delete-heading">
            <h2 id="delete-heading">Delete service</h2>
            <DeleteService service={service.name} instanceCount={service.instanceCount} />
          </section>
        </>
      )}
    </>
  );
}

function ServiceSummary({ service }: { service: LiveService }) {
  return (
    <section aria-labelledby="summary-heading">
      <h2 id="summary-heading" className="visually-hidden">
        Summary
      </h2>
      <dl className="summary" data-testid="service-summary">
        <div>
          <dt>Algorithm</dt>
          <dd data-testid="summary-algorithm">{algorithmLabel(service.algorithm).toLowerCase()}</dd>
        </div>
        <div>
          <dt>Instances</dt>
          <dd data-testid="summary-instances">{service.instanceCount}</dd>
        </div>
        <div>
          <dt>Healthy</dt>
          <dd data-testid="summary-healthy">
            {service.healthyCount}/{service.instanceCount}
          </dd>
        </div>
        <div>
          <dt>Available</dt>
          <dd>{service.availableCount}</dd>
        </div>
        <div>
          <dt>Throughput</dt>
          <dd>{formatRps(service.requestsPerSecond)}</dd>
        </div>
        <div>
          <dt>p95</dt>
          <dd>{formatMs(service.p95Ms)}</dd>
        </div>
        <div>
          <dt>Errors</dt>
          <dd>{formatRatio(service.errorRatio)}</dd>
        </div>
        <div>
          <dt>Active</dt>
          <dd>{service.activeConnections}</dd>
        </div>
      </dl>
      <p className="small muted">
        <LiveBadge /> Figures above are for the last second.
      </p>
    </section>
  );
}

function chartStatus(query: { isPending: boolean; isError: boolean; error: { message: string } | null }): ChartStatus {
  if (query.isPending) return { kind: "loading" };
  if (query.isError) return { kind: "error", message: query.error?.message ?? "unknown error" };
  return { kind: "ready" };
}

function ServiceDashboard({ service, canOperate }: { service: LiveService; canOperate: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { frames } = useLiveView();
  const [range, setRange] = useState<RangeChoice>({ kind: "last", last: "5m" });
  const [liveWanted, setLiveWanted] = useState(true);
  const liveAvailable = range.kind === "last" && range.last === "5m";
  const live = liveWanted && liveAvailable;
  const input = { service: service.name, range: rangeInput(range) };
  const refetchInterval = live || range.kind === "custom" ? false : 30_000;
  const staleTime = live ? Infinity : 10_000;

  const series = useQuery(trpc.stats.series.queryOptions(input, { staleTime, refetchInterval }));
  const byInstance = useQuery(trpc.stats.byInstance.queryOptions(input, { staleTime, refetchInterval }));
  const history = useQuery(trpc.stats.liveHistory.queryOptions({ service: service.name }, { enabled: live, staleTime: 0, gcTime: 0, refetchOnWindowFocus: false }));

  const { points, health } = useMemo(() => servicePoints(series.data, history.data, frames, service.name, live), [series.data, history.data, frames, service.name, live]);
  const rates = useMemo(() => instanceRateRows(byInstance.data, frames, service.name, live), [byInstance.data, frames, service.name, live]);
  const spanMs = rangeSpanMs(range);
  const seriesStatus = chartStatus(series);
  // Stored ranges span the requested range (data may cover part of it); live spans its points.
  const domain = !live && series.data ? ([series.data.from, series.data.to] as const) : undefined;

  const onLive = (on: boolean) => {
    setLiveWanted(on);
    // Either way the stored range is read afresh: live appends to it, a paused view shows it up to now.
    void series.refetch();
    void byInstance.refetch();
  };

  return (
    <>
      <section aria-labelledby="charts-heading">
        <div className="section-head">
          <h2 id="charts-heading">Charts</h2>
          <p className="muted small" data-testid="chart-resolution">
            {live
              ? "Live: stored samples, then one point a second"
              : series.data
                ? `Stored samples, ${series.data.bucketMs / 1000 >= 60 ? `${series.data.bucketMs / 60_000} min` : `${series.data.bucketMs / 1000} s`} buckets`
                : ""}
          </p>
        </div>
        <RangePicker
          range={range}
          onRange={setRange}
          live={live}
          liveAvailable={liveAvailable}
          onLive={onLive}
          // Stored ranges are read again on demand (every stats chart of the page, instance charts included).
          onRefresh={live ? undefined : () => void queryClient.invalidateQueries({ queryKey: trpc.stats.pathKey() })}
          refreshing={series.isFetching || byInstance.isFetching}
        />
        <div className="charts">
          <ResponseTimeChart points={points} spanMs={spanMs} domain={domain} status={seriesStatus} />
          <ThroughputChart rows={rates.rows} ids={rates.ids} spanMs={spanMs} domain={domain} status={chartStatus(byInstance)} />
          <ErrorRateChart points={points} spanMs={spanMs} domain={domain} status={seriesStatus} />
          <ConnectionsChart points={points} spanMs={spanMs} domain={domain} status={seriesStatus} />
          <HealthChart points={health} spanMs={spanMs} domain={domain} status={seriesStatus} />
        </div>
      </section>
      <section aria-labelledby="instances-heading">
        <h2 id="instances-heading">Instances</h2>
        <InstancesTable service={service} range={range} live={live} canOperate={canOperate} />
        {canOperate && <AddInstanceForm service={service.name} />}
      </section>
      <section aria-labelledby="breakers-heading">
        <h2 id="breakers-heading">Circuit breakers</h2>
        <BreakersSection service={service} canOperate={canOperate} />
      </section>
    </>
  );
}
