"use client";
// One live view subscription per page: `live.now` paints first, then
// `live.stream` delivers a new view every second. Leaves read the newest view
// and the last five minutes of views (for charts that append live points)
// from this context instead of opening a stream each.
import { useQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { createContext, useContext, useMemo, useState, type ReactNode } from "react";
import type { RouterOutputs } from "@/server/trpc";
import { useTRPC } from "./trpc-provider";

export type LiveView = RouterOutputs["live"]["now"];
export type LiveService = LiveView["services"][number];
export type LiveInstance = LiveService["instances"][number];

/** Five minutes of one-second views. */
export const MAX_LIVE_FRAMES = 300;

export interface LiveViewState {
  /** The newest view (stream, else the first-paint query). */
  readonly current: LiveView | undefined;
  /** Views received from the stream, oldest first, at most MAX_LIVE_FRAMES. */
  readonly frames: readonly LiveView[];
  /** Why neither the query nor the stream has data, if it failed. */
  readonly error: string | undefined;
  /** The stream is delivering. */
  readonly streaming: boolean;
}

const LiveViewContext = createContext<LiveViewState | undefined>(undefined);

export function LiveViewProvider({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const [frames, setFrames] = useState<readonly LiveView[]>([]);
  const first = useQuery(trpc.live.now.queryOptions(undefined, { staleTime: Infinity, refetchOnWindowFocus: false }));
  const stream = useSubscription(
    trpc.live.stream.subscriptionOptions(undefined, {
      onData(view) {
        setFrames((previous) => {
          const last = previous.at(-1);
          if (last !== undefined && view.at <= last.at) return previous;
          const next = [...previous, view];
          return next.length > MAX_LIVE_FRAMES ? next.slice(next.length - MAX_LIVE_FRAMES) : next;
        });
      },
    }),
  );
  const current = frames.at(-1) ?? first.data;
  const error = current === undefined ? (first.error?.message ?? stream.error?.message) : undefined;
  const streaming = stream.status === "pending";
  const value = useMemo(() => ({ current, frames, error, streaming }), [current, frames, error, streaming]);
  return <LiveViewContext.Provider value={value}>{children}</LiveViewContext.Provider>;
}

export function useLiveView(): LiveViewState {
  const state = useContext(LiveViewContext);
  if (state === undefined) throw new Error("useLiveView() outside <LiveViewProvider>");
  return state;
}

/** A small "live" / "reconnecting" indicator. */
export function LiveBadge() {
  const { streaming, current } = useLiveView();
  if (current === undefined) return null;
  return (
    <span className={`badge ${streaming ? "badge-good" : "badge-muted"}`} title={streaming ? "Updating every second" : "Reconnecting to the live stream"}>
      {streaming ? "● live" : "○ reconnecting"}
    </span>
  );
}
