/** Sign-in and sign-out (session cookie), and who is signed in. */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { sessionCookie } from "../../auth";
import { createTRPCRouter, procedure } from "../init";

const me = z.object({ name: z.string(), role: z.enum(["viewer", "operator", "admin"]), kind: z.enum(["user", "token"]) });

export const authRouter = createTRPCRouter({
  signIn: procedure
    .meta({ role: "public" })
    .input(z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }))
    .output(me)
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.runtime.auth.signIn({ ...input, address: ctx.address ?? "unknown", previousSessionId: ctx.sessionId });
      if (!result.ok) {
        if (result.reason === "throttled") {
          const seconds = Math.ceil(result.retryAfterMs / 1000);
          ctx.resHeaders.set("retry-after", String(seconds));
          throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `too many failed sign-ins; try again in ${seconds} s` });
        }
        throw new TRPCError({ code: "UNAUTHORIZED", message: "unknown user or wrong password" });
      }
      ctx.resHeaders.append(
        "set-cookie",
        sessionCookie(result.sessionId, { secure: ctx.secure, maxAgeS: Math.floor((result.expiresAt.getTime() - Date.now()) / 1000) }),
      );
      return { name: result.principal.name, role: result.principal.role, kind: result.principal.kind };
    }),
  signOut: procedure
    .meta({ role: "viewer" })
    .output(z.object({ signedOut: z.boolean() }))
    .mutation(async ({ ctx }) => {
      if (ctx.principal?.sessionHash !== undefined) await ctx.runtime.auth.signOut(ctx.principal.sessionHash);
      ctx.resHeaders.append("set-cookie", sessionCookie("", { secure: ctx.secure, maxAgeS: 0 }));
      return { signedOut: true };
    }),
  me: procedure
    .meta({ role: "viewer" })
    .output(me)
    .query(({ ctx }) => {
      const principal = ctx.principal;
      if (principal === undefined) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first" });
      return { name: principal.name, role: principal.role, kind: principal.kind };
    }),
});
