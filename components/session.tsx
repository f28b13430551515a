"use client";
// Who is signed in (auth.me), for the header and for showing only the
// controls the role allows. The server enforces the same rules on every
// call; hiding a control only spares the user a refusal.
import { useMutation, useQuery } from "@tanstack/react-query";
import type { RouterOutputs } from "@/server/trpc";
import { errorText } from "./api-error";
import { useTRPC } from "./trpc-provider";

export type Me = RouterOutputs["auth"]["me"];
export type Role = Me["role"];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether `role` is at least `required` (viewer < operator < admin). */
export const roleAtLeast = (role: Role | undefined, required: Role): boolean => role !== undefined && RANK[role] >= RANK[required];

/** The signed-in principal, or undefined while loading or when signed out. */
export function useMe(): Me | undefined {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000, retry: false, refetchOnWindowFocus: false }));
  return me.data;
}

/** The header's user, role and "Sign out". */
export function UserMenu() {
  const trpc = useTRPC();
  const me = useMe();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      // A full page load: nothing of this user's cached data survives sign-out.
      onSuccess: () => window.location.assign("/signin"),
    }),
  );
  if (me === undefined) return null;
  return (
    <div className="user-menu">
      <span data-testid="signed-in-user">
        <span className="visually-hidden">Signed in as </span>
        <strong>{me.name}</strong>{" "}
        <span className={`badge badge-${me.role === "admin" ? "info" : me.role === "operator" ? "good" : "muted"}`} data-testid="signed-in-role">
          {me.role}
        </span>
      </span>
      <button type="button" className="secondary" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
        {signOut.isPending ? "Signing out…" : "Sign out"}
      </button>
      {signOut.isError && (
        <span role="alert" className="error small">
          {errorText(signOut.error)}
        </span>
      )}
    </div>
  );
}
