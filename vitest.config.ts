import { defineConfig } from "vitest/config";

// Unit tests (server/**/*.test.ts) and integration tests (test/**/*.test.ts).
// Integration tests start real servers on free loopback ports; the files run
// one at a time so a 2-core machine is not oversubscribed.
export default defineConfig({
  test: {
    include: ["server/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
