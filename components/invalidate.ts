"use client";
// Which cached queries each kind of change touches (STYLE.md habit 9: a
// mutation invalidates exactly those). The live view is not here: its stream
// delivers every engine change within a second by itself. Every command,
// allowed or refused, writes an audit row, so the audit is always touched.
import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useTRPC } from "./trpc-provider";

export function useInvalidate() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const run = (keys: QueryKey[]) => Promise.all(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey }))).then(() => undefined);
  const audit = trpc.manage.audit.pathKey();
  return {
    /** A stored service changed (created, settings, algorithm, instances, deleted): the list, the export, the audit. */
    service: () => run([trpc.services.list.pathKey(), trpc.manage.exportConfig.pathKey(), audit]),
    /** Breakers live only in the engine (the live view): just the audit. */
    breaker: () => run([audit]),
    users: () => run([trpc.manage.users.pathKey(), audit]),
    tokens: () => run([trpc.manage.tokens.pathKey(), audit]),
    /** A refused command changed nothing but its audit row. */
    refused: () => run([audit]),
  };
}
