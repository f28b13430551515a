"use client";
// Admins manage users: list, create with a role, change a role, disable or
// enable. A change of role or disabling ends the user's sessions (server).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useId, useState, type SyntheticEvent } from "react";
import type { RouterOutputs } from "@/server/trpc";
import { errorText } from "./api-error";
import { formatDateTime } from "./format";
import { useInvalidate } from "./invalidate";
import { useMe, type Role } from "./session";
import { RoleSelect, isRole } from "./role-select";
import { useTRPC } from "./trpc-provider";

type User = RouterOutputs["manage"]["users"][number];
const LABELS = { username: "Username", password: "Password", role: "Role" };

export function AdminUsers() {
  const trpc = useTRPC();
  const users = useQuery(trpc.manage.users.queryOptions());
  return (
    <>
      {users.isPending ? (
        <p className="muted">Loading users…</p>
      ) : users.isError ? (
        <p role="alert" className="error">
          Could not load users: {errorText(users.error)}
        </p>
      ) : (
        <div className="table-scroll">
          <table className="table" aria-label="Users">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((user) => (
                <UserRow key={user.username} user={user} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateUserForm />
    </>
  );
}

function UserRow({ user }: { user: User }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const me = useMe();
  const id = useId();
  const [role, setRole] = useState<Role | null>(null);
  const [done, setDone] = useState("");
  const update = useMutation(
    trpc.manage.updateUser.mutationOptions({
      onSuccess: (_data, input) => {
        setRole(null);
        setDone(input.disabled === undefined ? `${user.username} is now ${input.role ?? user.role}.` : `${user.username} ${input.disabled ? "disabled" : "enabled"}.`);
        void invalidate.users();
      },
      onError: () => {
        setDone("");
        void invalidate.refused();
      },
    }),
  );
  const current = isRole(user.role) ? user.role : "viewer";
  const selected = role ?? current;
  const self = me?.name === user.username;
  const submit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate({ username: user.username, role: selected });
  };
  return (
    <tr data-testid={`user-row-${user.username}`}>
      <th scope="row">
        {user.username}
        {self && <span className="muted small"> (you)</span>}
      </th>
      <td>
        <form className="weight-editor" onSubmit={submit}>
          <label htmlFor={id} className="visually-hidden">
            Role of {user.username}
          </label>
          <RoleSelect id={id} value={selected} onChange={setRole} />
          <button type="submit" className="secondary small-button" disabled={update.isPending || selected === current}>
            Change role<span className="visually-hidden"> of {user.username}</span>
          </button>
        </form>
      </td>
      <td>
        <span className={`badge ${user.disabled ? "badge-muted" : "badge-good"}`}>{user.disabled ? "disabled" : "active"}</span>
      </td>
      <td className="nowrap">{formatDateTime(new Date(user.createdAt).getTime())}</td>
      <td>
        <button
          type="button"
          className="secondary small-button"
          disabled={update.isPending || self}
          title={self ? "You cannot disable yourself" : undefined}
          onClick={() => update.mutate({ username: user.username, disabled: !user.disabled })}
        >
          {user.disabled ? "Enable" : "Disable"}
          <span className="visually-hidden"> {user.username}</span>
        </button>
        <span role="status" className="visually-hidden">
          {done}
        </span>
        {update.isError && (
          <span role="alert" className="error small block">
            {errorText(update.error)}
          </span>
        )}
      </td>
    </tr>
  );
}

function CreateUserForm() {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const ids = { username: useId(), password: useId(), role: useId(), heading: useId() };
  const [draft, setDraft] = useState<{ username: string; password: string; role: Role }>({ username: "", password: "", role: "viewer" });
  const [done, setDone] = useState("");
  const create = useMutation(
    trpc.manage.createUser.mutationOptions({
      onSuccess: (_data, input) => {
        setDone(`Created ${input.username} (${input.role}).`);
        setDraft({ username: "", password: "", role: "viewer" });
        void invalidate.users();
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
    create.mutate({ username: draft.username.trim(), password: draft.password, role: draft.role });
  };
  return (
    <form className="inline-form" onSubmit={submit} noValidate aria-labelledby={ids.heading}>
      <h3 id={ids.heading}>New user</h3>
      <div className="fields">
        <div className="field">
          <label htmlFor={ids.username}>Username</label>
          <input id={ids.username} type="text" autoComplete="off" value={draft.username} onChange={(e) => setDraft({ ...draft, username: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.password}>Password</label>
          <input
            id={ids.password}
            type="password"
            autoComplete="new-password"
            value={draft.password}
            onChange={(e) => setDraft({ ...draft, password: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.role}>Role</label>
          <RoleSelect id={ids.role} value={draft.role} onChange={(role) => setDraft({ ...draft, role })} />
        </div>
        <div className="field actions">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create user"}
          </button>
        </div>
      </div>
      <p className="muted small">Passwords have at least 12 characters.</p>
      <p role="status" className="small ok-text">
        {done}
      </p>
      {create.isError && (
        <p role="alert" className="error small">
          {errorText(create.error, LABELS)}
        </p>
      )}
    </form>
  );
}
