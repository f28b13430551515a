// Admin only (the server answers 403 to anyone else): users, API tokens, and
// the configuration as code.
import type { Metadata } from "next";
import { AdminConfigExport, AdminConfigImport } from "@/components/admin-config";
import { AdminTokens } from "@/components/admin-tokens";
import { AdminUsers } from "@/components/admin-users";

export const metadata: Metadata = { title: "Admin · Alicia Load Balancer" };

export default function AdminPage() {
  return (
    <>
      <h1>Admin</h1>
      <section aria-labelledby="users-heading">
        <h2 id="users-heading">Users</h2>
        <AdminUsers />
      </section>
      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">API tokens</h2>
        <AdminTokens />
      </section>
      <section aria-labelledby="config-heading">
        <h2 id="config-heading">Configuration</h2>
        <AdminConfigExport />
        <AdminConfigImport />
      </section>
    </>
  );
}
