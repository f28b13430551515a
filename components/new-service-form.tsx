"use client";
// Admins create a service (name and algorithm; the other settings take their
// defaults and can be edited on the service's page).
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type SyntheticEvent } from "react";
import { ALGORITHM_CHOICES, isAlgorithm, type Algorithm } from "./algorithms";
import { errorText, fieldErrors } from "./api-error";
import { useInvalidate } from "./invalidate";
import { roleAtLeast, useMe } from "./session";
import { useTRPC } from "./trpc-provider";

export function NewServiceForm() {
  const me = useMe();
  if (!roleAtLeast(me?.role, "admin")) return null;
  return <NewServiceFormInner />;
}

function NewServiceFormInner() {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const ids = { name: useId(), algorithm: useId(), help: useId() };
  const [name, setName] = useState("");
  const [algorithm, setAlgorithm] = useState<Algorithm>("round_robin");
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation(
    trpc.manage.createService.mutationOptions({
      onSuccess: (_data, input) => {
        setCreated(input.name);
        setName("");
        void invalidate.service();
      },
      onError: () => {
        setCreated(null);
        void invalidate.refused();
      },
    }),
  );
  const nameErrors = fieldErrors(create.error).name;
  const submit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setCreated(null);
    create.mutate({ name: name.trim(), settings: { algorithm } });
  };
  return (
    <form className="inline-form new-service" onSubmit={submit} noValidate aria-labelledby={`${ids.name}-heading`}>
      <h3 id={`${ids.name}-heading`}>New service</h3>
      <div className="fields">
        <div className="field">
          <label htmlFor={ids.name}>Service name</label>
          <input
            id={ids.name}
            type="text"
            autoComplete="off"
            placeholder="orders"
            value={name}
            aria-invalid={nameErrors !== undefined}
            aria-describedby={ids.help}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.algorithm}>Algorithm</label>
          <select id={ids.algorithm} value={algorithm} onChange={(e) => isAlgorithm(e.target.value) && setAlgorithm(e.target.value)}>
            {ALGORITHM_CHOICES.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field actions">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create service"}
          </button>
        </div>
      </div>
      <p id={ids.help} className="muted small">
        Letters, digits, “.”, “_” and “-”, starting with a letter or digit; requests to <code>/{name.trim() || "name"}/…</code> on the proxy go to it.
      </p>
      <p role="status" className="small ok-text">
        {created !== null && (
          <>
            Created {created}. <Link href={`/services/${encodeURIComponent(created)}`}>Open {created}</Link> to add its instances.
          </>
        )}
      </p>
      {create.isError && (
        <p role="alert" className="error small">
          {errorText(create.error, { name: "Service name" })}
        </p>
      )}
    </form>
  );
}
