"use client";
// Configuration as code from the dashboard: export the stored services (YAML
// or JSON, the CONFIG_FILE shape) to read or download, and import a document
// (all or nothing), listing the services it changed.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useId, useState, type SyntheticEvent } from "react";
import { errorText } from "./api-error";
import { useInvalidate } from "./invalidate";
import { useTRPC } from "./trpc-provider";

type Format = "yaml" | "json";
const isFormat = (value: string): value is Format => value === "yaml" || value === "json";

export function AdminConfigExport() {
  const trpc = useTRPC();
  const id = useId();
  const [format, setFormat] = useState<Format>("yaml");
  const [shown, setShown] = useState(false);
  const config = useQuery(trpc.manage.exportConfig.queryOptions({ format }, { enabled: shown }));
  const href = config.data === undefined ? undefined : `data:${format === "yaml" ? "application/yaml" : "application/json"};charset=utf-8,${encodeURIComponent(config.data.text)}`;
  return (
    <div>
      <div className="toolbar">
        <label htmlFor={id}>Format</label>
        <select id={id} value={format} onChange={(e) => isFormat(e.target.value) && setFormat(e.target.value)}>
          <option value="yaml">YAML</option>
          <option value="json">JSON</option>
        </select>
        <button type="button" className="secondary" onClick={() => (shown ? void config.refetch() : setShown(true))} disabled={config.isFetching}>
          {shown ? "Refresh" : "Show configuration"}
        </button>
        {href !== undefined && (
          <a href={href} download={`alicia-services.${format === "yaml" ? "yaml" : "json"}`}>
            Download
          </a>
        )}
      </div>
      {config.isError && (
        <p role="alert" className="error small">
          {errorText(config.error)}
        </p>
      )}
      {config.data !== undefined && (
        <pre className="config-text" aria-label="Exported configuration" tabIndex={0}>
          {config.data.text}
        </pre>
      )}
    </div>
  );
}

export function AdminConfigImport() {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const ids = { text: useId(), format: useId(), heading: useId() };
  const [format, setFormat] = useState<Format>("yaml");
  const [text, setText] = useState("");
  const apply = useMutation(trpc.manage.importConfig.mutationOptions({ onSuccess: () => void invalidate.service(), onError: () => void invalidate.refused() }));
  const submit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    apply.mutate({ format, text });
  };
  return (
    <form onSubmit={submit} aria-labelledby={ids.heading} className="import-form">
      <h3 id={ids.heading}>Import</h3>
      <p className="muted small">
        Declared services converge to the document in one transaction (all or nothing): their settings and exactly the manual instances listed.
        Services not in it and discovered instances are left alone.
      </p>
      <div className="field">
        <label htmlFor={ids.format}>Import format</label>
        <select id={ids.format} value={format} onChange={(e) => isFormat(e.target.value) && setFormat(e.target.value)}>
          <option value="yaml">YAML</option>
          <option value="json">JSON</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.text}>Configuration document</label>
        <textarea id={ids.text} rows={10} spellCheck={false} value={text} placeholder={"services:\n  - name: orders\n    algorithm: round_robin\n    instances: []"} onChange={(e) => setText(e.target.value)} />
      </div>
      <div className="form-actions">
        <button type="submit" disabled={apply.isPending || text.trim() === ""}>
          {apply.isPending ? "Applying…" : "Apply"}
        </button>
      </div>
      <p role="status" className="small ok-text">
        {apply.isSuccess && (apply.data.changed.length === 0 ? "Applied: nothing changed." : `Applied; changed: ${apply.data.changed.join(", ")}.`)}
      </p>
      {apply.isError && (
        <p role="alert" className="error small">
          {errorText(apply.error)}
        </p>
      )}
    </form>
  );
}
