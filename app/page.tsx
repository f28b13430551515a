import { ServiceList } from "@/components/service-list";
import { SystemStatus } from "@/components/system-status";

export default function OverviewPage() {
  return (
    <>
      <h1>Overview</h1>
      <section aria-labelledby="services-heading">
        <h2 id="services-heading">Services</h2>
        <ServiceList />
      </section>
      <section aria-labelledby="node-heading">
        <h2 id="node-heading">This node</h2>
        <SystemStatus />
      </section>
    </>
  );
}
