"use client";
// Operators add an instance by hand (source "manual"). The server validates:
// id and host shape, port 1-65535, weight 0-10000, duplicates, and hosts the
// policy refuses (link-local, cloud metadata, DISCOVERY_DENIED_HOSTS); its
// messages appear next to the fields they concern.
import { useMutation } from "@tanstack/react-query";
import { useId, useState, type SyntheticEvent } from "react";
import { errorText, fieldErrors } from "./api-error";
import { useInvalidate } from "./invalidate";
import { useTRPC } from "./trpc-provider";

const EMPTY = { id: "", host: "", port: "", weight: "1" };
const LABELS = { id: "Instance id", host: "Host", port: "Port", weight: "Weight" };

/** "" → NaN (the server names the field); else the number typed. */
const toNumber = (text: string) => (text.trim() === "" ? Number.NaN : Number(text));

export function AddInstanceForm({ service }: { service: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const ids = { id: useId(), host: useId(), port: useId(), weight: useId() };
  const [draft, setDraft] = useState(EMPTY);
  const [done, setDone] = useState("");
  const add = useMutation(
    trpc.manage.addInstance.mutationOptions({
      onSuccess: (_data, input) => {
        setDone(`Added ${input.id} (${input.host}:${input.port}, weight ${input.weight ?? 1}).`);
        setDraft(EMPTY);
        void invalidate.service();
      },
      onError: () => {
        setDone("");
        void invalidate.refused();
      },
    }),
  );
  const fields = fieldErrors(add.error);
  const submit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDone("");
    add.mutate({ service, id: draft.id.trim(), host: draft.host.trim(), port: toNumber(draft.port), weight: toNumber(draft.weight) });
  };
  const field = (key: keyof typeof EMPTY, type: "text" | "number", extra: { placeholder?: string; autoComplete?: string } = {}) => {
    const messages = fields[key];
    const errorId = `${ids[key]}-error`;
    return (
      <div className="field">
        <label htmlFor={ids[key]}>{LABELS[key]}</label>
        <input
          id={ids[key]}
          name={key}
          type={type}
          inputMode={type === "number" ? "numeric" : undefined}
          value={draft[key]}
          aria-invalid={messages !== undefined}
          aria-describedby={messages === undefined ? undefined : errorId}
          onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
          {...extra}
        />
        {messages !== undefined && (
          <span id={errorId} className="error small">
            {messages.join("; ")}
          </span>
        )}
      </div>
    );
  };
  return (
    <form className="inline-form add-instance" onSubmit={submit} noValidate aria-labelledby={`${ids.id}-heading`}>
      <h3 id={`${ids.id}-heading`}>Add an instance</h3>
      <div className="fields">
        {field("id", "text", { placeholder: `${service}-1`, autoComplete: "off" })}
        {field("host", "text", { placeholder: "10.0.0.5", autoComplete: "off" })}
        {field("port", "number", { placeholder: "8080" })}
        {field("weight", "number")}
        <div className="field actions">
          <button type="submit" disabled={add.isPending}>
            {add.isPending ? "Adding…" : "Add instance"}
          </button>
        </div>
      </div>
      <p role="status" className="small ok-text">
        {done}
      </p>
      {add.isError && (
        <p role="alert" className="error small">
          {errorText(add.error, LABELS)}
        </p>
      )}
    </form>
  );
}
