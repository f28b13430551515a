"use client";
// Each instance's circuit breaker: its state, consecutive failures, since when
// it is in that state (from the live view's last minutes) and when an open
// breaker half-opens; operators reset it or force it open, after a
// confirmation that says what will happen.
import { useMutation } from "@tanstack/react-query";
import { formatTimeOfDay } from "./format";
import { RowCommands, useRowCommands } from "./row-commands";
import { useLiveView, type LiveInstance, type LiveService, type LiveView } from "./live-view";
import { useTRPC } from "./trpc-provider";

type BreakerState = LiveInstance["breaker"]["state"];

const STATE_TONE: Record<BreakerState, string> = { closed: "good", half_open: "warn", open: "bad", forced_open: "bad" };
export const breakerLabel = (state: BreakerState): string => state.replace("_", " ");

/** When the breaker entered its current state, as far back as the live frames go ("before" when they do not reach it). */
function stateSince(frames: readonly LiveView[], service: string, id: string, state: BreakerState): { at: number; before: boolean } | undefined {
  let since: number | undefined;
  for (const frame of [...frames].reverse()) {
    const instance = frame.services.find((s) => s.name === service)?.instances.find((x) => x.id === id);
    if (instance?.breaker.state !== state) return since === undefined ? undefined : { at: since, before: false };
    since = frame.at;
  }
  return since === undefined ? undefined : { at: since, before: true };
}

function halfOpenText(instance: LiveInstance, now: number): string {
  switch (instance.breaker.state) {
    case "closed":
      return "—";
    case "half_open":
      return "probing now";
    case "forced_open":
      return "only when reset";
    case "open": {
      const at = instance.breaker.halfOpenAt;
      if (at === null) return "—";
      const inS = Math.max(0, Math.round((at - now) / 1000));
      return `${formatTimeOfDay(at)} (in ${inS} s)`;
    }
  }
}

export function BreakersSection({ service, canOperate }: { service: LiveService; canOperate: boolean }) {
  const { frames, current } = useLiveView();
  const now = current?.at ?? 0;
  if (service.instances.length === 0) return <p className="empty">No instances, no breakers.</p>;
  return (
    <div className="table-scroll">
      <table className="table breakers" aria-label="Circuit breakers">
        <thead>
          <tr>
            <th scope="col">Instance</th>
            <th scope="col">State</th>
            <th scope="col" className="num">Consecutive failures</th>
            <th scope="col">In this state since</th>
            <th scope="col">Half-opens</th>
            {canOperate && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {service.instances.map((instance) => {
            const since = instance.breaker.state === "closed" ? undefined : stateSince(frames, service.name, instance.id, instance.breaker.state);
            return (
              <tr key={instance.id} data-testid={`breaker-row-${instance.id}`}>
                <th scope="row">{instance.id}</th>
                <td data-testid="breaker-state">
                  <span className={`badge badge-${STATE_TONE[instance.breaker.state]}`}>{breakerLabel(instance.breaker.state)}</span>
                </td>
                <td className="num" data-testid="breaker-failures">
                  {instance.breaker.consecutiveFailures}
                </td>
                <td>{since === undefined ? "—" : `${since.before ? "before " : ""}${formatTimeOfDay(since.at)}`}</td>
                <td>{halfOpenText(instance, now)}</td>
                {canOperate && (
                  <td>
                    <BreakerActions service={service.name} instance={instance} />
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function BreakerActions({ service, instance }: { service: string; instance: LiveInstance }) {
  const trpc = useTRPC();
  const { confirm, setConfirm, done, announce } = useRowCommands("breaker");
  const reset = useMutation(trpc.manage.resetBreaker.mutationOptions(announce(`The breaker of ${instance.id} is closed.`)));
  const forceOpen = useMutation(trpc.manage.forceOpenBreaker.mutationOptions(announce(`The breaker of ${instance.id} is forced open.`)));
  const ref = { service, id: instance.id };
  const busy = reset.isPending || forceOpen.isPending;
  const state = instance.breaker.state;
  const error = reset.error ?? forceOpen.error;
  return (
    <RowCommands done={done} error={error} confirm={confirm} onCloseConfirm={() => setConfirm(null)}>
      <button
        type="button"
        className="secondary small-button"
        disabled={busy || (state === "closed" && instance.breaker.consecutiveFailures === 0)}
        onClick={() =>
          setConfirm({
            title: `Reset the breaker of ${instance.id}?`,
            body: <p>Reset closes the breaker of {instance.id} and clears its failure count: traffic returns to it at once.</p>,
            confirmLabel: "Reset",
            onConfirm: () => reset.mutate(ref),
          })
        }
      >
        Reset<span className="visually-hidden"> breaker of {instance.id}</span>
      </button>
      <button
        type="button"
        className="secondary danger-text small-button"
        disabled={busy || state === "forced_open"}
        onClick={() =>
          setConfirm({
            title: `Force open the breaker of ${instance.id}?`,
            body: (
              <p>
                Force open stops all traffic to {instance.id} until reset. It does not half-open by itself; its requests go to the other
                instances of {service}.
              </p>
            ),
            confirmLabel: "Force open",
            onConfirm: () => forceOpen.mutate(ref),
          })
        }
      >
        Force open<span className="visually-hidden"> breaker of {instance.id}</span>
      </button>
    </RowCommands>
  );
}
