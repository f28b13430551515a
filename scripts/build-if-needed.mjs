// Generates the Prisma client and builds the dashboard when the sources
// changed since the last build (or were never built). Used by `npm start`
// and by the test command before it starts real servers.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { prismaEnv } from "./prisma-env.mjs";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const BUILD_INPUTS = ["app", "components", "server", "prisma/schema.prisma", "next.config.js", "tsconfig.json", "package-lock.json"];
const STAMP = path.join(root, ".next", "alicia-build-stamp");

function* files(entry) {
  const full = path.join(root, entry);
  if (!existsSync(full)) return;
  const stat = statSync(full);
  if (stat.isFile()) {
    if (!/\.test\.tsx?$/.test(entry)) yield [entry, stat];
    return;
  }
  for (const child of readdirSync(full).sort()) {
    if (child === "generated" || child === "node_modules") continue;
    yield* files(path.join(entry, child));
  }
}

function fingerprint() {
  const hash = createHash("sha256");
  for (const input of BUILD_INPUTS) {
    for (const [name, stat] of files(input)) hash.update(`${name}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return hash.digest("hex");
}

function run(label, args, env = process.env) {
  console.log(`> ${label}`);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) {
    throw new Error(`${label} failed (exit ${result.status ?? result.signal})`);
  }
}

export function generatePrismaClient() {
  run("prisma generate", [require.resolve("prisma/build/index.js"), "generate"], prismaEnv);
}

/** Builds when needed; `dev` only makes sure the Prisma client exists. */
export function buildIfNeeded({ dev = false } = {}) {
  const current = fingerprint();
  const built =
    existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(STAMP) && readFileSync(STAMP, "utf8") === current;
  if (!existsSync(path.join(root, "server", "db", "generated", "client.ts")) || (!built && !dev)) {
    generatePrismaClient();
  }
  if (!built && !dev) {
    run("next build", [require.resolve("next/dist/bin/next"), "build"], { ...process.env, NEXT_TELEMETRY_DISABLED: "1" });
    writeFileSync(STAMP, fingerprint());
  }
}
