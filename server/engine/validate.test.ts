import { describe, expect, it } from "vitest";
import { DEFAULT_HEALTH, type ServiceConfig } from "./types";
import { validateInstanceConfig, validateServiceConfig } from "./validate";
import { instanceConfig, serviceConfig } from "./test-support";

describe("validateServiceConfig", () => {
  const base = serviceConfig("orders", "round_robin");

  it("accepts the defaults", () => {
    expect(() => {
      validateServiceConfig(base);
    }).not.toThrow();
  });

  const bad: [string, Partial<ServiceConfig>, RegExp][] = [
    ["empty methods", { health: { ...DEFAULT_HEALTH, methods: [] } }, /service\.health\.methods/],
    ["unknown method", { health: { ...DEFAULT_HEALTH, methods: ["icmp" as never] } }, /service\.health\.methods.*icmp/],
    ["repeated method", { health: { ...DEFAULT_HEALTH, methods: ["http", "http"] } }, /service\.health\.methods/],
    ["relative path", { health: { ...DEFAULT_HEALTH, path: "health" } }, /service\.health\.path/],
    ["interval too short", { health: { ...DEFAULT_HEALTH, intervalMs: 5 } }, /service\.health\.intervalMs.*5/],
    ["fractional timeout", { health: { ...DEFAULT_HEALTH, timeoutMs: 1.5 } }, /service\.health\.timeoutMs/],
    ["zero request timeout", { requestTimeoutMs: 0 }, /service\.requestTimeoutMs.*0/],
    ["unknown algorithm", { algorithm: "fastest" as never }, /service\.algorithm.*fastest/],
    ["zero failure threshold", { breaker: { ...base.breaker, failureThreshold: 0 } }, /service\.breaker\.failureThreshold/],
  ];
  it.each(bad)("rejects %s with a RangeError naming the field", (_label, override, message) => {
    expect(() => {
      validateServiceConfig({ ...base, ...override });
    }).toThrow(RangeError);
    expect(() => {
      validateServiceConfig({ ...base, ...override });
    }).toThrow(message);
  });
});

describe("validateInstanceConfig", () => {
  it.each([
    [{ port: 0 }, /instance\.port/],
    [{ port: 65_536 }, /instance\.port/],
    [{ weight: -1 }, /instance\.weight/],
    [{ weight: 10_001 }, /instance\.weight/],
    [{ host: "" }, /instance\.host/],
  ])("rejects %o", (override, message) => {
    expect(() => {
      validateInstanceConfig(instanceConfig("i1", override));
    }).toThrow(message);
  });
});
