"use client";
// Which database and broker this node uses, and whether it is ready.
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "./trpc-provider";

export function SystemStatus() {
  const trpc = useTRPC();
  const status = useQuery(trpc.system.status.queryOptions(undefined, { refetchInterval: 5_000 }));
  if (status.isPending) return <p className="muted">Checking node status…</p>;
  if (status.isError) return <p role="alert" className="error">Node status unavailable: {status.error.message}</p>;
  const s = status.data;
  return (
    <dl className="status" aria-label="Node status">
      <div>
        <dt>State</dt>
        <dd data-testid="node-ready">{s.ready ? "ready" : `not ready (${s.notReadyReason ?? "unknown"})`}</dd>
      </div>
      <div>
        <dt>Database</dt>
        <dd data-testid="node-database">{s.database.location}</dd>
      </div>
      <div>
        <dt>MQTT broker</dt>
        <dd data-testid="node-broker">
          {s.broker.embedded ? "embedded " : ""}
          {s.broker.url} {s.broker.connected ? "(connected)" : "(disconnected)"}
        </dd>
      </div>
      <div>
        <dt>Proxy port</dt>
        <dd>{s.proxyPort}</dd>
      </div>
    </dl>
  );
}
