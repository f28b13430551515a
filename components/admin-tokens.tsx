"use client";
// Admins manage API tokens (bearer credentials for scripts): list, create
// (the token is shown once, here), revoke (confirmed).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useId, useState, type SyntheticEvent } from "react";
import { errorText } from "./api-error";
import { ConfirmDialog, type ConfirmRequest } from "./confirm-dialog";
import { formatDateTime } from "./format";
import { useInvalidate } from "./invalidate";
import type { Role } from "./session";
import { RoleSelect } from "./role-select";
import { useTRPC } from "./trpc-provider";

const when = (value: Date | string | null): string => (value === null ? "—" : formatDateTime(new Date(value).getTime()));

export function AdminTokens() {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const tokens = useQuery(trpc.manage.tokens.queryOptions());
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const revoke = useMutation(
    trpc.manage.revokeToken.mutationOptions({ onSuccess: () => void invalidate.tokens(), onError: () => void invalidate.refused() }),
  );
  return (
    <>
      {tokens.isPending ? (
        <p className="muted">Loading tokens…</p>
      ) : tokens.isError ? (
        <p role="alert" className="error">
          Could not load tokens: {errorText(tokens.error)}
        </p>
      ) : tokens.data.length === 0 ? (
        <p className="empty">No API tokens yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="table" aria-label="API tokens">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((t) => (
                <tr key={t.name} data-testid={`token-row-${t.name}`}>
                  <th scope="row">{t.name}</th>
                  <td>{t.role}</td>
                  <td className="nowrap">
                    {when(t.createdAt)} <span className="muted small block">by {t.createdBy}</span>
                  </td>
                  <td className="nowrap">{when(t.lastUsedAt)}</td>
                  <td>
                    <span className={`badge ${t.revokedAt === null ? "badge-good" : "badge-muted"}`}>
                      {t.revokedAt === null ? "active" : `revoked ${when(t.revokedAt)}`}
                    </span>
                  </td>
                  <td>
                    {t.revokedAt === null && (
                      <button
                        type="button"
                        className="secondary danger-text small-button"
                        disabled={revoke.isPending}
                        onClick={() =>
                          setConfirm({
                            title: `Revoke the token ${t.name}?`,
                            body: <p>Scripts using {t.name} get 401 from their next call on. This cannot be undone.</p>,
                            confirmLabel: `Revoke ${t.name}`,
                            onConfirm: () => revoke.mutate({ name: t.name }),
                          })
                        }
                      >
                        Revoke<span className="visually-hidden"> {t.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoke.isError && (
        <p role="alert" className="error small">
          {errorText(revoke.error)}
        </p>
      )}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
      <CreateTokenForm />
    </>
  );
}

function CreateTokenForm() {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const ids = { name: useId(), role: useId(), heading: useId(), token: useId() };
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [copied, setCopied] = useState("");
  const create = useMutation(
    trpc.manage.createToken.mutationOptions({
      onSuccess: (data, input) => {
        setCreated({ name: input.name, token: data.token });
        setName("");
        setCopied("");
        void invalidate.tokens();
      },
      onError: () => {
        setCreated(null);
        void invalidate.refused();
      },
    }),
  );
  const submit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate({ name: name.trim(), role });
  };
  const copy = (token: string) => {
    navigator.clipboard.writeText(token).then(
      () => setCopied("Copied to the clipboard."),
      () => setCopied("Copying was refused by the browser: select the token and copy it."),
    );
  };
  return (
    <form className="inline-form" onSubmit={submit} noValidate aria-labelledby={ids.heading}>
      <h3 id={ids.heading}>New API token</h3>
      <div className="fields">
        <div className="field">
          <label htmlFor={ids.name}>Token name</label>
          <input id={ids.name} type="text" autoComplete="off" placeholder="deploy-bot" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.role}>Token role</label>
          <RoleSelect id={ids.role} value={role} onChange={setRole} />
        </div>
        <div className="field actions">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create token"}
          </button>
        </div>
      </div>
      {created !== null && (
        <div className="notice token-once" role="status">
          <p>
            <strong>Token {created.name}:</strong> copy it now, it is shown only this once. Send it as <code>Authorization: Bearer …</code>.
          </p>
          <label htmlFor={ids.token} className="visually-hidden">
            Token {created.name}
          </label>
          <input id={ids.token} className="token-value" type="text" readOnly value={created.token} onFocus={(e) => e.currentTarget.select()} />{" "}
          <button type="button" className="secondary small-button" onClick={() => copy(created.token)}>
            Copy
          </button>
          <span className="small muted"> {copied}</span>
        </div>
      )}
      {create.isError && (
        <p role="alert" className="error small">
          {errorText(create.error, { name: "Token name", role: "Role" })}
        </p>
      )}
    </form>
  );
}
