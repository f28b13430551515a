#!/usr/bin/env node
// `npm start`: check the configuration (a bad value stops here, before any
// build), build what must be built (scripts/build-if-needed.mjs), then run
// server/main.ts in this same process, so signals reach it directly.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { buildIfNeeded, root } from "./build-if-needed.mjs";

const { register } = await import("tsx/esm/api");
register();

const { ConfigError, loadConfig } = await import(pathToFileURL(path.join(root, "server", "config", "env.ts")).href);
try {
  loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const problem of error.problems) process.stderr.write(`${problem}\n`);
  process.exit(1);
}

const dev = process.argv.includes("--dev");
try {
  buildIfNeeded({ dev });
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
await import(pathToFileURL(path.join(root, "server", "main.ts")).href);
