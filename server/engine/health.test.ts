import { describe, expect, it } from "vitest";
import type { HealthTransition } from "./events";
import { HealthTracker } from "./health";
import { DEFAULT_HEALTH } from "./types";

describe("health rise/fall (HAProxy rise 2 fall 3)", () => {
  const cases: { name: string; checks: string; expected: string[] }[] = [
    { name: "unknown turns healthy on the first pass", checks: "P", expected: ["unknown->healthy"] },
    { name: "unknown turns unhealthy after 3 fails", checks: "FFF", expected: ["unknown->unhealthy"] },
    { name: "2 fails stay unknown", checks: "FF", expected: [] },
    { name: "healthy needs 3 consecutive fails", checks: "PFFPFFF", expected: ["unknown->healthy", "healthy->unhealthy"] },
    { name: "unhealthy needs 2 consecutive passes", checks: "FFFPFPP", expected: ["unknown->unhealthy", "unhealthy->healthy"] },
    { name: "flapping never changes a healthy instance", checks: "PFPFPFFPF", expected: ["unknown->healthy"] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const seen: HealthTransition[] = [];
      const tracker = new HealthTracker(DEFAULT_HEALTH, (t) => seen.push(t));
      Array.from(c.checks).forEach((ch, i) => {
        tracker.record(i, ch === "P", ch === "P" ? "200 OK" : "timeout");
      });
      expect(seen.map((t) => `${t.from}->${t.to}`)).toEqual(c.expected);
    });
  }

  it("gives the check's reason with the transition", () => {
    const seen: HealthTransition[] = [];
    const tracker = new HealthTracker(DEFAULT_HEALTH, (t) => seen.push(t));
    tracker.record(5, true);
    for (let i = 0; i < 3; i++) tracker.record(10 + i, false, "HTTP 503");
    expect(seen.map((t) => [t.to, t.reason, t.at])).toEqual([
      ["healthy", "first health check passed", 5],
      ["unhealthy", "3 consecutive checks failed (last: HTTP 503)", 12],
    ]);
  });
});
