"use client";
// The audit trail (manage.audit): every change and every refused attempt,
// newest first, paged back with beforeId. Before → after are shown as JSON
// text inside a <details> (React escapes it; nothing is rendered as HTML).
import { useQueries } from "@tanstack/react-query";
import { useState } from "react";
import type { RouterOutputs } from "@/server/trpc";
import { errorText } from "./api-error";
import { formatDateTime } from "./format";
import { useTRPC } from "./trpc-provider";

type AuditRow = RouterOutputs["manage"]["audit"][number];

const PAGE_SIZE = 50;

/** JSON for a before/after value; dates arrive as strings over JSON. */
const show = (value: unknown): string => (value === undefined || value === null ? "—" : JSON.stringify(value, null, 2));

/** Flattens a JSON value to path → scalar text; array items with an `id` are keyed by it ("instances.pay-3.weight"). */
function flatten(value: unknown, path: string, out: Map<string, string>): Map<string, string> {
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      const id = typeof item === "object" && item !== null && "id" in item && typeof item.id === "string" ? item.id : String(index);
      flatten(item, path === "" ? id : `${path}.${id}`, out);
    });
    if (value.length === 0) out.set(path, "[]");
  } else if (typeof value === "object" && value !== null) {
    for (const [key, v] of Object.entries(value)) flatten(v, path === "" ? key : `${path}.${key}`, out);
  } else if (value !== undefined) {
    out.set(path, JSON.stringify(value));
  }
  return out;
}

/** The paths whose values differ between before and after: "path: old → new". */
export function changedLines(before: unknown, after: unknown): string[] {
  const a = flatten(before, "", new Map());
  const b = flatten(after, "", new Map());
  const lines: string[] = [];
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    const from = a.get(path);
    const to = b.get(path);
    if (from !== to) lines.push(`${path || "value"}: ${from ?? "—"} → ${to ?? "—"}`);
  }
  return lines;
}

export function AuditLog() {
  const trpc = useTRPC();
  // One query per page; the first page has no cursor.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const pages = useQueries({ queries: cursors.map((beforeId) => trpc.manage.audit.queryOptions({ beforeId, limit: PAGE_SIZE }, { staleTime: 5_000 })) });
  const rows: AuditRow[] = [];
  const seen = new Set<string>();
  for (const page of pages) {
    for (const row of page.data ?? []) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      rows.push(row);
    }
  }
  const first = pages[0];
  const last = pages.at(-1);
  const failed = pages.find((p) => p.isError);
  const exhausted = last?.data !== undefined && last.data.length < PAGE_SIZE;
  const loadOlder = () => {
    const oldest = rows.at(-1);
    if (oldest !== undefined) setCursors([...cursors, oldest.id]);
  };
  if (first?.isPending) return <p className="muted">Loading the audit trail…</p>;
  return (
    <>
      {failed?.error && (
        <p role="alert" className="error">
          Could not load the audit trail: {errorText(failed.error)}
        </p>
      )}
      {rows.length === 0 && !failed ? (
        <p className="empty">No changes recorded yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="table audit" aria-label="Audit trail">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Role</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Result</th>
                <th scope="col">Reason</th>
                <th scope="col">Address</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <AuditRowView key={row.id} row={row} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="pager">
        {exhausted ? (
          <p className="muted small">That is the whole trail.</p>
        ) : (
          <button type="button" className="secondary" onClick={loadOlder} disabled={last?.isFetching === true || rows.length === 0}>
            {last?.isFetching === true ? "Loading…" : "Load older"}
          </button>
        )}
      </div>
    </>
  );
}

function AuditRowView({ row }: { row: AuditRow }) {
  const at = new Date(row.ts).getTime();
  const hasChange = (row.before !== undefined && row.before !== null) || (row.after !== undefined && row.after !== null);
  const lines = hasChange ? changedLines(row.before, row.after) : [];
  return (
    <tr data-testid="audit-row">
      <td className="nowrap">
        <time dateTime={new Date(at).toISOString()}>{formatDateTime(at)}</time>
      </td>
      <td data-testid="audit-actor">
        {row.actor}
        {row.actorKind !== "user" && <span className="muted small block">{row.actorKind}</span>}
      </td>
      <td>{row.role ?? "—"}</td>
      <td data-testid="audit-action">
        <code>{row.action}</code>
      </td>
      <td data-testid="audit-target">{row.target ?? "—"}</td>
      <td data-testid="audit-result">
        <span className={`badge ${row.allowed ? "badge-good" : "badge-bad"}`}>{row.allowed ? "allowed" : "refused"}</span>
      </td>
      <td className="reason">{row.reason ?? ""}</td>
      <td className="nowrap">{row.address ?? "—"}</td>
      <td>
        {hasChange ? (
          <details>
            <summary>
              {lines.length === 1 ? "1 change" : `${lines.length} changes`}
            </summary>
            <ul className="changes" data-testid="audit-changes">
              {lines.slice(0, 20).map((line) => (
                <li key={line}>
                  <code>{line}</code>
                </li>
              ))}
              {lines.length > 20 && <li className="muted">… {lines.length - 20} more</li>}
            </ul>
            <details className="full-json">
              <summary>Full before → after (JSON)</summary>
              <div className="diff">
              <div>
                <span className="muted small">before</span>
                <pre>{show(row.before)}</pre>
              </div>
              <div>
                <span className="muted small">after</span>
                <pre>{show(row.after)}</pre>
              </div>
              </div>
            </details>
          </details>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  );
}
