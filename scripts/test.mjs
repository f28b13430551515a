#!/usr/bin/env node
// The test command (`npm test`): typecheck, lint, build, unit + integration
// tests (vitest) and end-to-end tests (Playwright, real Chromium, real
// server). Every step runs even when an earlier one failed, so one run shows
// every problem. Typecheck, lint and build count as one check each; vitest and
// Playwright count their tests. The last line is `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { buildIfNeeded, generatePrismaClient, root } from "./build-if-needed.mjs";

const bin = (pkg, file) => path.join(root, "node_modules", pkg, file);
let passed = 0;
let failed = 0;
const failures = [];

function step(label, fn) {
  console.log(`\n=== ${label}`);
  try {
    fn();
    passed++;
  } catch (error) {
    failed++;
    failures.push(label);
    console.error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function run(args, env = process.env) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) throw new Error(`exit ${result.status ?? result.signal}`);
}

function readJson(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

mkdirSync(path.join(root, "test-results"), { recursive: true });
step("prisma generate", generatePrismaClient);
step("typecheck", () => run([bin("typescript", "bin/tsc"), "--noEmit"]));
step("lint", () => {
  run([bin("eslint", "bin/eslint.js"), "--max-warnings=0", "."]);
  run([bin("dependency-cruiser", "bin/dependency-cruise.mjs"), "--config", ".dependency-cruiser.cjs", "server", "app", "components", "e2e", "test"]);
});
let built = false;
step("build", () => {
  buildIfNeeded();
  built = true;
});

console.log("\n=== unit and integration tests (vitest)");
const vitestReport = path.join(root, "test-results", "vitest.json");
rmSync(vitestReport, { force: true });
spawnSync(process.execPath, [bin("vitest", "vitest.mjs"), "run"], { cwd: root, stdio: "inherit" });
const vitest = readJson(vitestReport);
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  if (vitest.numFailedTests > 0 || vitest.numFailedTestSuites > 0) failures.push("vitest");
  // A file that fails to load has no tests to count: count it as one failure.
  const brokenFiles = vitest.testResults.filter((file) => file.status === "failed" && file.assertionResults.length === 0).length;
  failed += brokenFiles;
} else {
  failed++;
  failures.push("vitest (no report)");
}

if (built) {
  console.log("\n=== end-to-end tests (Playwright)");
  const pwReport = path.join(root, "test-results", "playwright.json");
  rmSync(pwReport, { force: true });
  spawnSync(process.execPath, [bin("@playwright/test", "cli.js"), "test"], { cwd: root, stdio: "inherit" });
  const pw = readJson(pwReport);
  if (pw) {
    passed += pw.stats.expected + pw.stats.flaky;
    failed += pw.stats.unexpected;
    if (pw.stats.unexpected > 0) failures.push("playwright");
    if (pw.errors?.length > 0) {
      failed += pw.errors.length;
      failures.push("playwright (setup errors)");
    }
  } else {
    failed++;
    failures.push("playwright (no report)");
  }
} else {
  console.log("\n=== end-to-end tests skipped: the build failed (counted as one failure above)");
}

if (failures.length > 0) console.log(`\nfailed steps: ${failures.join(", ")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
