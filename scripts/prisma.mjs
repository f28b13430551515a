#!/usr/bin/env node
// `node scripts/prisma.mjs ARGS…` runs the Prisma CLI with prismaEnv.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { prismaEnv } from "./prisma-env.mjs";

const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js");
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: "inherit", env: prismaEnv });
process.exit(result.status ?? 1);
