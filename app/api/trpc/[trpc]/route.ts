// The admin API over HTTP: tRPC's fetch adapter (it accepts only JSON
// mutation bodies, part of the CSRF defence). The router's procedures read
// the process's one runtime, built by server/main.ts.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter, createContext } from "@/server/trpc";

export const dynamic = "force-dynamic";

function handler(req: Request): Promise<Response> {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: ({ resHeaders }) => createContext({ req, resHeaders }),
  });
}

export { handler as GET, handler as POST };
