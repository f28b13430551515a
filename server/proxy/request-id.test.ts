import { describe, expect, it } from "vitest";
import { createRequestIds } from "./request-id";

const UUID_V4_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("createRequestIds", () => {
  it("makes UUID-shaped ids (version 4, RFC 4122 variant) whatever the random bytes", () => {
    for (const fill of [0x00, 0xff, 0x5a, 0xa5]) {
      const next = createRequestIds((size) => Buffer.alloc(size, fill));
      for (let i = 0; i < 3; i++) expect(next()).toMatch(UUID_V4_SHAPE);
    }
  });

  it("counts in the last group and keeps the prefix", () => {
    const next = createRequestIds((size) => Buffer.alloc(size, 0x11));
    expect([next(), next(), next()]).toEqual([
      "11111111-1111-4111-9111-000000000000",
      "11111111-1111-4111-9111-000000000001",
      "11111111-1111-4111-9111-000000000002",
    ]);
  });

  it("never repeats within a generator, and two generators do not share a prefix", () => {
    const a = createRequestIds();
    const b = createRequestIds();
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(a());
    expect(seen.size).toBe(10_000);
    expect(b().slice(0, 24)).not.toBe(a().slice(0, 24));
  });
});

describe("createRequestIds counter", () => {
  it("carries across hex digits like an odometer", () => {
    const next = createRequestIds((size) => Buffer.alloc(size, 0));
    const ids = Array.from({ length: 300 }, () => next());
    expect(ids[9]?.slice(24)).toBe("000000000009");
    expect(ids[10]?.slice(24)).toBe("00000000000a");
    expect(ids[15]?.slice(24)).toBe("00000000000f");
    expect(ids[16]?.slice(24)).toBe("000000000010");
    expect(ids[255]?.slice(24)).toBe("0000000000ff");
    expect(ids[256]?.slice(24)).toBe("000000000100");
    ids.forEach((id, i) => expect(Number.parseInt(id.slice(24), 16)).toBe(i));
  });
});
