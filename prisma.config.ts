// Prisma CLI configuration. The CLI never downloads native engines here:
// the client uses the WASM query compiler with a driver adapter at run time
// (engineType = "client"), and the schema engine runs as WASM ("js" engine)
// so `prisma migrate diff` produces migration SQL offline
// (scripts/new-migration.mjs). Migrations are applied by server/db/migrate.ts,
// which keeps Prisma's `_prisma_migrations` bookkeeping.
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  // eslint-disable-next-line @typescript-eslint/require-await -- Prisma's contract is an async factory
  adapter: async () =>
    new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" }),
});
