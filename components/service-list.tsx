"use client";
// The overview's list of services, as stored in the database, with the
// engine's live counts of available and healthy instances.
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "./trpc-provider";

export function ServiceList() {
  const trpc = useTRPC();
  const services = useQuery(trpc.services.list.queryOptions(undefined, { refetchInterval: 2_000 }));
  if (services.isPending) return <p className="muted">Loading services…</p>;
  if (services.isError) return <p role="alert" className="error">Could not load services: {services.error.message}</p>;
  if (services.data.length === 0) {
    return (
      <p className="empty" data-testid="no-services">
        No services yet. Services appear here when they are added or announce themselves over MQTT service discovery.
      </p>
    );
  }
  return (
    <table className="table" aria-label="Services">
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col">Algorithm</th>
          <th scope="col">Instances</th>
          <th scope="col">Available</th>
          <th scope="col">Healthy</th>
          <th scope="col">Health check</th>
        </tr>
      </thead>
      <tbody>
        {services.data.map((s) => (
          <tr key={s.name} data-testid={`service-row-${s.name}`}>
            <th scope="row">{s.name}</th>
            <td>{s.algorithm.replaceAll("_", " ")}</td>
            <td>{s.instanceCount}</td>
            <td>{s.availableCount}</td>
            <td>{s.healthyCount}</td>
            <td>{s.healthCheckMethods.join(" → ")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
