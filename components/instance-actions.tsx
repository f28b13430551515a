"use client";
// An instance's controls in the instances table (operators): its weight,
// enable/disable, drain/undrain and remove (confirmed). Each applies to
// traffic at once; the live view shows the result within a second.
import { useMutation } from "@tanstack/react-query";
import { useId, useState, type SyntheticEvent } from "react";
import { errorText } from "./api-error";
import { useInvalidate } from "./invalidate";
import type { LiveInstance } from "./live-view";
import { RowCommands, useRowCommands } from "./row-commands";
import { useTRPC } from "./trpc-provider";

/** The weight cell: a number input and Save. Shows the live weight until edited. */
export function WeightEditor({ service, instance }: { service: string; instance: LiveInstance }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const id = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const update = useMutation(
    trpc.manage.updateInstance.mutationOptions({
      onSuccess: () => {
        setDraft(null);
        void invalidate.service();
      },
      onError: () => void invalidate.refused(),
    }),
  );
  const value = draft ?? String(instance.weight);
  const submit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate({ service, id: instance.id, weight: value.trim() === "" ? Number.NaN : Number(value) });
  };
  return (
    <form className="weight-editor" onSubmit={submit} noValidate>
      <label htmlFor={id} className="visually-hidden">
        Weight of {instance.id}
      </label>
      <input id={id} type="number" inputMode="numeric" step={1} value={value} onChange={(e) => setDraft(e.target.value)} />
      <button type="submit" className="secondary small-button" disabled={update.isPending || draft === null || draft === String(instance.weight)}>
        Save<span className="visually-hidden"> weight of {instance.id}</span>
      </button>
      {update.isError && (
        <span role="alert" className="error small block">
          {errorText(update.error, { weight: "Weight" })}
        </span>
      )}
    </form>
  );
}

/** The actions cell: Enable/Disable, Drain/Undrain, Remove. */
export function InstanceActions({ service, instance }: { service: string; instance: LiveInstance }) {
  const trpc = useTRPC();
  const { confirm, setConfirm, done, announce } = useRowCommands("service");
  const update = useMutation(trpc.manage.updateInstance.mutationOptions(announce(`${instance.id} updated.`)));
  const remove = useMutation(trpc.manage.removeInstance.mutationOptions(announce(`${instance.id} removed.`)));
  const busy = update.isPending || remove.isPending;
  const error = update.error ?? remove.error;
  const ref = { service, id: instance.id };
  return (
    <RowCommands done={done} error={error} confirm={confirm} onCloseConfirm={() => setConfirm(null)}>
      <button type="button" className="secondary small-button" disabled={busy} onClick={() => update.mutate({ ...ref, enabled: !instance.enabled })}>
        {instance.enabled ? "Disable" : "Enable"}
        <span className="visually-hidden"> {instance.id}</span>
      </button>
      <button
        type="button"
        className="secondary small-button"
        disabled={busy}
        title={instance.draining ? "Take new requests again" : "Send no new requests; requests in flight finish"}
        onClick={() => update.mutate({ ...ref, draining: !instance.draining })}
      >
        {instance.draining ? "Undrain" : "Drain"}
        <span className="visually-hidden"> {instance.id}</span>
      </button>
      <button
        type="button"
        className="secondary danger-text small-button"
        disabled={busy}
        onClick={() =>
          setConfirm({
            title: `Remove ${instance.id}?`,
            body: (
              <p>
                {instance.id} ({instance.host}:{instance.port}) stops receiving traffic at once and leaves {service}.
                {instance.source === "discovery" ? " It comes back if service discovery announces it again." : ""}
              </p>
            ),
            confirmLabel: `Remove ${instance.id}`,
            onConfirm: () => remove.mutate(ref),
          })
        }
      >
        Remove<span className="visually-hidden"> {instance.id}</span>
      </button>
    </RowCommands>
  );
}
