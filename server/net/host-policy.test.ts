import { describe, expect, it } from "vitest";
import { createHostPolicy } from "./host-policy";

describe("discovery host policy", () => {
  const open = createHostPolicy({ allowed: [], denied: [] });

  it.each([
    ["169.254.169.254", /metadata/],
    ["169.254.10.1", /link-local/],
    ["fe80::1", /link-local/],
    ["fd00:ec2::254", /metadata/],
    ["::ffff:169.254.169.254", /link-local/],
    ["100.100.100.200", /metadata/],
    ["0.0.0.0", /reserved/],
    ["224.0.0.1", /reserved/],
    ["metadata.google.internal", /metadata/],
    ["bad_host!", /neither/],
    ["a".repeat(254), /neither/],
  ])("always refuses %s", (host, reason) => {
    expect(open(host)).toMatch(reason);
  });

  it.each(["10.0.0.5", "127.0.0.1", "::1", "orders-1.svc.cluster.local", "db"])("accepts %s when no list is set", (host) => {
    expect(open(host)).toBeUndefined();
  });

  it("applies the operator's allow and deny lists", () => {
    const policy = createHostPolicy({ allowed: ["10.0.0.0/8", "*.svc.local", "127.0.0.1"], denied: ["10.9.0.0/16", "bad.svc.local"] });
    expect(policy("10.1.2.3")).toBeUndefined();
    expect(policy("orders.svc.local")).toBeUndefined();
    expect(policy("127.0.0.1")).toBeUndefined();
    expect(policy("10.9.1.1")).toMatch(/DENIED/);
    expect(policy("bad.svc.local")).toMatch(/DENIED/);
    expect(policy("192.168.1.1")).toMatch(/not in DISCOVERY_ALLOWED_HOSTS/);
    expect(policy("example.com")).toMatch(/not in DISCOVERY_ALLOWED_HOSTS/);
    expect(policy("169.254.169.254")).toMatch(/metadata/);
  });
});
