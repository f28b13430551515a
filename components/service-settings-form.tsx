"use client";
// Admins edit a service's stored settings (health check, breaker thresholds,
// timeouts, connection limit) and delete the service. The current values come
// from the configuration export (JSON), the same document configuration as
// code uses; the server validates every field.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useMemo, useState, type SyntheticEvent } from "react";
import { z } from "zod";
import type { RouterInputs } from "@/server/trpc";
import { errorText } from "./api-error";
import { ConfirmDialog, type ConfirmRequest } from "./confirm-dialog";
import { useInvalidate } from "./invalidate";
import { useTRPC } from "./trpc-provider";

type Settings = NonNullable<RouterInputs["manage"]["updateService"]["settings"]>;
type NumberKey = { [K in keyof Settings]-?: NonNullable<Settings[K]> extends number ? K : never }[keyof Settings];

const METHODS = ["http", "tcp", "mqtt"] as const;
type Method = (typeof METHODS)[number];

// The export's shape, as far as this form reads it (unknown keys ignored).
const exported = z.object({
  services: z.array(
    z.object({
      name: z.string(),
      healthCheck: z.object({
        methods: z.array(z.enum(METHODS)),
        path: z.string(),
        intervalMs: z.number(),
        timeoutMs: z.number(),
        healthyThreshold: z.number(),
        unhealthyThreshold: z.number(),
      }),
      breaker: z.object({ failureThreshold: z.number(), recoveryTimeoutMs: z.number(), successThreshold: z.number() }),
      requestTimeoutMs: z.number(),
      maxConnectionsPerInstance: z.number(),
    }),
  ),
});

interface Draft {
  methods: Method[];
  path: string;
  numbers: Record<NumberKey, string>;
}

const NUMBER_FIELDS: readonly { key: NumberKey; label: string; group: "health" | "breaker" | "limits" }[] = [
  { key: "healthCheckIntervalMs", label: "Check interval (ms)", group: "health" },
  { key: "healthCheckTimeoutMs", label: "Check timeout (ms)", group: "health" },
  { key: "healthyThreshold", label: "Healthy after (passes)", group: "health" },
  { key: "unhealthyThreshold", label: "Unhealthy after (failures)", group: "health" },
  { key: "breakerFailureThreshold", label: "Opens after (failures)", group: "breaker" },
  { key: "breakerRecoveryTimeoutMs", label: "Half-opens after (ms)", group: "breaker" },
  { key: "breakerSuccessThreshold", label: "Closes after (successes)", group: "breaker" },
  { key: "requestTimeoutMs", label: "Request timeout (ms)", group: "limits" },
  { key: "maxConnectionsPerInstance", label: "Max connections per instance", group: "limits" },
];

const LABELS: Record<string, string> = { settings: "Settings", healthCheckMethods: "Health check methods", healthCheckPath: "Health check path" };
for (const f of NUMBER_FIELDS) LABELS[f.key] = f.label;

function parseExport(text: string | undefined, service: string): Draft | undefined {
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = exported.safeParse(json);
  const s = parsed.success ? parsed.data.services.find((x) => x.name === service) : undefined;
  if (s === undefined) return undefined;
  return {
    methods: s.healthCheck.methods,
    path: s.healthCheck.path,
    numbers: {
      healthCheckIntervalMs: String(s.healthCheck.intervalMs),
      healthCheckTimeoutMs: String(s.healthCheck.timeoutMs),
      healthyThreshold: String(s.healthCheck.healthyThreshold),
      unhealthyThreshold: String(s.healthCheck.unhealthyThreshold),
      breakerFailureThreshold: String(s.breaker.failureThreshold),
      breakerRecoveryTimeoutMs: String(s.breaker.recoveryTimeoutMs),
      breakerSuccessThreshold: String(s.breaker.successThreshold),
      requestTimeoutMs: String(s.requestTimeoutMs),
      maxConnectionsPerInstance: String(s.maxConnectionsPerInstance),
    },
  };
}

export function ServiceSettingsForm({ service }: { service: string }) {
  const trpc = useTRPC();
  const config = useQuery(trpc.manage.exportConfig.queryOptions({ format: "json" }, { staleTime: 30_000 }));
  const stored = useMemo(() => parseExport(config.data?.text, service), [config.data?.text, service]);
  if (config.isPending) return <p className="muted">Loading settings…</p>;
  if (config.isError)
    return (
      <p role="alert" className="error">
        Could not load the settings: {errorText(config.error)}
      </p>
    );
  if (stored === undefined) return <p className="muted">No stored settings for {service} (it may have been announced by discovery only).</p>;
  // Keyed by the stored values: a change saved elsewhere resets the form.
  return <SettingsForm key={JSON.stringify(stored)} service={service} stored={stored} />;
}

function SettingsForm({ service, stored }: { service: string; stored: Draft }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const base = useId();
  const [draft, setDraft] = useState<Draft>(stored);
  const [done, setDone] = useState("");
  const update = useMutation(
    trpc.manage.updateService.mutationOptions({
      onSuccess: () => {
        setDone(`Settings of ${service} saved; they apply at once.`);
        void invalidate.service();
      },
      onError: () => {
        setDone("");
        void invalidate.refused();
      },
    }),
  );
  const submit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDone("");
    const settings: Settings = { healthCheckMethods: draft.methods, healthCheckPath: draft.path };
    for (const { key } of NUMBER_FIELDS) {
      const text = draft.numbers[key].trim();
      settings[key] = text === "" ? Number.NaN : Number(text);
    }
    update.mutate({ name: service, settings });
  };
  const toggleMethod = (method: Method, on: boolean) =>
    setDraft({ ...draft, methods: on ? METHODS.filter((m) => m === method || draft.methods.includes(m)) : draft.methods.filter((m) => m !== method) });
  const numberField = (key: NumberKey, label: string) => (
    <div className="field" key={key}>
      <label htmlFor={`${base}-${key}`}>{label}</label>
      <input
        id={`${base}-${key}`}
        type="number"
        inputMode="numeric"
        value={draft.numbers[key]}
        onChange={(e) => setDraft({ ...draft, numbers: { ...draft.numbers, [key]: e.target.value } })}
      />
    </div>
  );
  return (
    <form className="settings-form" onSubmit={submit} noValidate aria-label={`Settings of ${service}`}>
      <fieldset>
        <legend>Health check</legend>
        <div className="fields">
          <div className="field" role="group" aria-labelledby={`${base}-methods`}>
            <span id={`${base}-methods`} className="field-label">
              Methods (in order)
            </span>
            <span className="checks">
              {METHODS.map((m) => (
                <label key={m} className="toggle">
                  <input type="checkbox" checked={draft.methods.includes(m)} onChange={(e) => toggleMethod(m, e.target.checked)} /> {m}
                </label>
              ))}
            </span>
          </div>
          <div className="field">
            <label htmlFor={`${base}-path`}>HTTP path</label>
            <input id={`${base}-path`} type="text" value={draft.path} onChange={(e) => setDraft({ ...draft, path: e.target.value })} />
          </div>
          {NUMBER_FIELDS.filter((f) => f.group === "health").map((f) => numberField(f.key, f.label))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Circuit breaker</legend>
        <div className="fields">{NUMBER_FIELDS.filter((f) => f.group === "breaker").map((f) => numberField(f.key, f.label))}</div>
      </fieldset>
      <fieldset>
        <legend>Requests</legend>
        <div className="fields">{NUMBER_FIELDS.filter((f) => f.group === "limits").map((f) => numberField(f.key, f.label))}</div>
      </fieldset>
      <div className="form-actions">
        <button type="submit" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save settings"}
        </button>
        <button type="button" className="secondary" onClick={() => setDraft(stored)} disabled={update.isPending}>
          Undo changes
        </button>
      </div>
      <p role="status" className="small ok-text">
        {done}
      </p>
      {update.isError && (
        <p role="alert" className="error small">
          {errorText(update.error, LABELS)}
        </p>
      )}
    </form>
  );
}

export function DeleteService({ service, instanceCount }: { service: string; instanceCount: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const invalidate = useInvalidate();
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const remove = useMutation(
    trpc.manage.deleteService.mutationOptions({
      onSuccess: () => {
        void invalidate.service();
        router.push("/");
      },
      onError: () => void invalidate.refused(),
    }),
  );
  return (
    <div className="danger-zone">
      <p>Deleting {service} removes it and its {instanceCount} instance(s): the proxy answers 404 for it at once.</p>
      <button
        type="button"
        className="danger"
        disabled={remove.isPending}
        onClick={() =>
          setConfirm({
            title: `Delete ${service}?`,
            body: (
              <p>
                {service} and its {instanceCount} instance(s) are removed; requests to /{service}/ get 404 at once. Discovery may register it again.
              </p>
            ),
            confirmLabel: `Delete ${service}`,
            onConfirm: () => remove.mutate({ name: service }),
          })
        }
      >
        {remove.isPending ? "Deleting…" : "Delete service"}
      </button>
      {remove.isError && (
        <p role="alert" className="error small">
          {errorText(remove.error)}
        </p>
      )}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </div>
  );
}
