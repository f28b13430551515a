// A service's page: the shell is rendered on the server; the live summary,
// charts and instances are client leaves reading the layout's live view.
import type { Metadata } from "next";
import Link from "next/link";
import { ServiceView } from "@/components/service-view";

interface Props {
  params: Promise<{ name: string }>;
}

function serviceName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: `${serviceName(name)} · Alicia Load Balancer` };
}

export default async function ServicePage({ params }: Props) {
  const name = serviceName((await params).name);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/">Overview</Link> <span aria-hidden="true">›</span> <span aria-current="page">{name}</span>
      </nav>
      <h1>
        <span className="muted">Service</span> {name}
      </h1>
      <ServiceView name={name} />
    </>
  );
}
