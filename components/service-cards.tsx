"use client";
// The overview's service cards: live counts, rates and latency of every
// service with a req/s sparkline of the last minutes (seeded from
// stats.liveHistory, then one point a second from the live stream).
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo } from "react";
import { formatMs, formatRatio, formatRps } from "./format";
import { MAX_LIVE_FRAMES, useLiveView, type LiveService, type LiveView } from "./live-view";
import { Sparkline, type SparkPoint } from "./sparkline";
import { useTRPC } from "./trpc-provider";

export function ServiceCards() {
  const { current, frames, error } = useLiveView();
  if (error !== undefined) return <p role="alert" className="error">Live view unavailable: {error}</p>;
  if (current === undefined) return <p className="muted">Loading live view…</p>;
  if (current.services.length === 0) return null;
  return (
    <ul className="cards" aria-label="Live services">
      {current.services.map((service) => (
        <li key={service.name}>
          <ServiceCard service={service} frames={frames} />
        </li>
      ))}
    </ul>
  );
}

function ServiceCard({ service, frames }: { service: LiveService; frames: readonly LiveView[] }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.stats.liveHistory.queryOptions({ service: service.name }, { staleTime: Infinity, refetchOnWindowFocus: false }));
  const points = useMemo(() => sparkPoints(service.name, history.data ?? [], frames), [service.name, history.data, frames]);
  const allHealthy = service.instanceCount > 0 && service.healthyCount === service.instanceCount;
  return (
    <article className="card" data-testid={`service-card-${service.name}`} aria-labelledby={`card-${service.name}`}>
      <header className="card-head">
        <h3 id={`card-${service.name}`}>
          <Link href={`/services/${encodeURIComponent(service.name)}`}>{service.name}</Link>
        </h3>
        <span className="muted small">{service.algorithm.replaceAll("_", " ")}</span>
      </header>
      <dl className="metrics">
        <div>
          <dt>Healthy</dt>
          <dd data-testid="card-healthy" className={allHealthy ? "" : "warn-text"}>
            {service.healthyCount}/{service.instanceCount}
          </dd>
        </div>
        <div>
          <dt>Throughput</dt>
          <dd data-testid="card-rps">{formatRps(service.requestsPerSecond)}</dd>
        </div>
        <div>
          <dt>p95</dt>
          <dd data-testid="card-p95">{formatMs(service.p95Ms)}</dd>
        </div>
        <div>
          <dt>Errors</dt>
          <dd data-testid="card-errors" className={service.errorRatio > 0 ? "error" : ""}>
            {formatRatio(service.errorRatio)}
          </dd>
        </div>
      </dl>
      <Sparkline points={points} label={`${service.name}: requests per second over the last ${Math.round(points.length / 60) || 1} minutes`} />
    </article>
  );
}

/** The seed history, then the stream's views newer than it; at most MAX_LIVE_FRAMES points. */
function sparkPoints(name: string, seed: readonly SparkPoint[], frames: readonly LiveView[]): SparkPoint[] {
  const points: SparkPoint[] = seed.map((p) => ({ t: p.t, requestsPerSecond: p.requestsPerSecond }));
  let last = points.at(-1)?.t ?? -Infinity;
  for (const frame of frames) {
    if (frame.at <= last) continue;
    const s = frame.services.find((x) => x.name === name);
    if (s === undefined) continue;
    points.push({ t: frame.at, requestsPerSecond: s.requestsPerSecond });
    last = frame.at;
  }
  return points.length > MAX_LIVE_FRAMES ? points.slice(points.length - MAX_LIVE_FRAMES) : points;
}
