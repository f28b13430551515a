import { EventFeed } from "@/components/event-feed";
import { NewServiceForm } from "@/components/new-service-form";
import { ServiceCards } from "@/components/service-cards";
import { ServiceList } from "@/components/service-list";
import { SystemStatus } from "@/components/system-status";

export default function OverviewPage() {
  return (
    <>
      <h1>Overview</h1>
      <section aria-labelledby="services-heading">
        <h2 id="services-heading">Services</h2>
        <ServiceCards />
        <ServiceList />
        <NewServiceForm />
      </section>
      <section aria-labelledby="events-heading">
        <h2 id="events-heading">Recent events</h2>
        <EventFeed />
      </section>
      <section aria-labelledby="node-heading">
        <h2 id="node-heading">This node</h2>
        <SystemStatus />
      </section>
    </>
  );
}
