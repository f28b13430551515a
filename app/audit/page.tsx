// Who changed what, and who was refused: the audit trail, newest first.
import type { Metadata } from "next";
import { AuditLog } from "@/components/audit-log";

export const metadata: Metadata = { title: "Audit · Alicia Load Balancer" };

export default function AuditPage() {
  return (
    <>
      <h1>Audit</h1>
      <p className="muted">
        Every change made through the dashboard or the API, and every refused attempt, with who made it and from where. Configuration applied at
        start appears as <code>config.apply</code>.
      </p>
      <AuditLog />
    </>
  );
}
