"use client";
// Operators choose the service's balancing algorithm; it applies to the next
// request (the live view shows it within a second).
import { useMutation } from "@tanstack/react-query";
import { useId, useState, type SyntheticEvent } from "react";
import { ALGORITHM_CHOICES, algorithmLabel, isAlgorithm, type Algorithm } from "./algorithms";
import { errorText } from "./api-error";
import { useInvalidate } from "./invalidate";
import { useTRPC } from "./trpc-provider";

export function AlgorithmForm({ service, current }: { service: string; current: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const ids = { select: useId(), help: useId() };
  const [choice, setChoice] = useState<Algorithm | null>(null);
  const [done, setDone] = useState("");
  const selected = choice ?? (isAlgorithm(current) ? current : "round_robin");
  const setAlgorithm = useMutation(
    trpc.manage.setAlgorithm.mutationOptions({
      onSuccess: (_data, input) => {
        setDone(`${service} now uses ${algorithmLabel(input.algorithm).toLowerCase()}.`);
        setChoice(null);
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
    setAlgorithm.mutate({ service, algorithm: selected });
  };
  const description = ALGORITHM_CHOICES.find((a) => a.value === selected)?.description ?? "";
  return (
    <form className="inline-form algorithm-form" onSubmit={submit} aria-label={`Algorithm of ${service}`}>
      <div className="field">
        <label htmlFor={ids.select}>Balancing algorithm</label>
        <select id={ids.select} value={selected} aria-describedby={ids.help} onChange={(e) => isAlgorithm(e.target.value) && setChoice(e.target.value)}>
          {ALGORITHM_CHOICES.map((a) => (
            <option key={a.value} value={a.value}>
              {a.label}
              {a.value === current ? " (current)" : ""}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" disabled={setAlgorithm.isPending || selected === current}>
        {setAlgorithm.isPending ? "Applying…" : "Apply"}
      </button>
      <p id={ids.help} className="muted small help">
        {description}
      </p>
      <p role="status" className="small ok-text">
        {done}
      </p>
      <details className="algorithms-help small">
        <summary>What each algorithm does</summary>
        <dl>
          {ALGORITHM_CHOICES.map((a) => (
            <div key={a.value}>
              <dt>{a.label}</dt>
              <dd>{a.description}</dd>
            </div>
          ))}
        </dl>
      </details>
      {setAlgorithm.isError && (
        <p role="alert" className="error small">
          {errorText(setAlgorithm.error)}
        </p>
      )}
    </form>
  );
}
