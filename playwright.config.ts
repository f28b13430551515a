import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";
import { chromium } from "@playwright/test";

// A real Chromium: Debian's /usr/bin/chromium when present (CI and these
// machines cannot download Playwright's own), else Playwright's download
// (`npx playwright install chromium`). Which one is used is printed once.
function chromiumExecutable(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  if (existsSync(chromium.executablePath())) return undefined;
  throw new Error(
    "No Chromium for the end-to-end tests: install Debian's (apt-get install chromium), " +
      "or Playwright's (npx playwright install chromium), or set CHROMIUM_PATH.",
  );
}

const executablePath = chromiumExecutable();

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"], ["json", { outputFile: "test-results/playwright.json" }]],
  outputDir: "test-results/playwright",
  use: {
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      ...(executablePath ? { executablePath } : {}),
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
});
