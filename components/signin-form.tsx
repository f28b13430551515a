"use client";
// The sign-in form: username and password to auth.signIn, which sets the
// session cookie; then back to the page the user asked for.
import { useMutation } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useState, type SyntheticEvent } from "react";
import { errorText } from "./api-error";
import { useTRPC } from "./trpc-provider";

/** Only same-site paths: never send the user to another origin after sign-in. */
function safeNext(value: string | null): string {
  return value !== null && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}

export function SignInForm() {
  const trpc = useTRPC();
  const params = useSearchParams();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      // A full page load: the header, the live stream and every cached query start afresh as the new user.
      onSuccess: () => window.location.replace(safeNext(params.get("next"))),
    }),
  );
  const submit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    signIn.mutate({ username, password });
  };
  return (
    <form className="signin" onSubmit={submit} aria-labelledby="signin-heading">
      <h1 id="signin-heading">Sign in</h1>
      <label>
        Username
        <input name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {signIn.isError ? (
        <p role="alert" className="error">
          {errorText(signIn.error)}
        </p>
      ) : null}
      <button type="submit" disabled={signIn.isPending}>
        {signIn.isPending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
