"use client";
// The role picker used by the user and token forms: one list of roles, one check.
import type { Role } from "./session";

export const ROLES: readonly Role[] = ["viewer", "operator", "admin"];
export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

export function RoleSelect({ id, value, onChange }: { id: string; value: Role; onChange: (role: Role) => void }) {
  return (
    <select
      id={id}
      value={value}
      onChange={(e) => {
        if (isRole(e.target.value)) onChange(e.target.value);
      }}
    >
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}
