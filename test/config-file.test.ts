/**
 * Configuration as code: a YAML/JSON document is validated whole, applied in
 * one transaction, idempotently, and the exported configuration applies back
 * to no change.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminOperations, type Actor } from "../server/admin";
import { ConfigFileError, parseConfigDocument, stringifyConfigDocument } from "../server/config";
import { createDb, type Db } from "../server/db";
import { createEngine, instanceId, seededRng, serviceName, type Engine } from "../server/engine";
import { createHostPolicy } from "../server/net";

const FILE = `
services:
  - name: orders
    algorithm: weighted_round_robin
    healthCheck: { methods: [http, tcp], path: /ping, intervalMs: 10000 }
    breaker: { failureThreshold: 3 }
    requestTimeoutMs: 5000
    instances:
      - { id: orders-1, host: 127.0.0.1, port: 9101, weight: 5 }
      - { id: orders-2, host: 127.0.0.1, port: 9102 }
  - name: billing
    instances: []
`;

describe("parseConfigDocument", () => {
  it("reads YAML and JSON to the same document, with defaults", () => {
    const yaml = parseConfigDocument(FILE, "yaml");
    const json = parseConfigDocument(JSON.stringify(yaml), "json");
    expect(json).toEqual(yaml);
    expect(yaml.services[0]).toMatchObject({ name: "orders", algorithm: "weighted_round_robin", requestTimeoutMs: 5000 });
    expect(yaml.services[0]!.instances[1]).toEqual({ id: "orders-2", host: "127.0.0.1", port: 9102, weight: 1, enabled: true, draining: false });
    expect(yaml.services[1]).toMatchObject({ name: "billing", algorithm: "round_robin", instances: [] });
  });

  it.each([
    ["not YAML", "services: [unclosed", /not valid YAML/],
    ["an unknown key", "services:\n  - name: a\n    colour: red\n", /services\.0: Unrecognized key/],
    ["a port out of range", "services:\n  - name: a\n    instances: [{ id: a1, host: h, port: 70000 }]\n", /services\.0\.instances\.0\.port/],
    ["a prototype name", "services:\n  - name: __proto__\n", /services\.0\.name/],
    ["a duplicate instance", "services:\n  - name: a\n    instances: [{ id: a1, host: h, port: 1 }, { id: a1, host: h, port: 2 }]\n", /listed twice/],
    ["a duplicate service", "services:\n  - name: a\n  - name: a\n", /service a is listed twice/],
    ["an unknown algorithm", "services:\n  - name: a\n    algorithm: fastest\n", /services\.0\.algorithm/],
  ])("refuses %s with the path of the problem", (_label, text, message) => {
    expect(() => parseConfigDocument(text, "yaml", "test.yaml")).toThrow(ConfigFileError);
    expect(() => parseConfigDocument(text, "yaml", "test.yaml")).toThrow(message);
  });
});

describe("applying a configuration document", () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "alicia-config-"));
  let db: Db;
  let engine: Engine;
  let ops: ReturnType<typeof createAdminOperations>;
  const actor: Actor = { principal: { kind: "user", name: "config-file", role: "admin" }, address: null };

  beforeAll(async () => {
    db = await createDb({ kind: "embedded", dataDir });
    engine = createEngine({ clock: { now: () => performance.now() }, rng: seededRng(2) });
    ops = createAdminOperations({ db, engine, hostPolicy: createHostPolicy({ allowed: [], denied: [] }), auth: { createToken: () => Promise.resolve("") } });
  });
  afterAll(async () => {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("creates what is declared, and a second apply changes nothing", async () => {
    expect(await ops.applyConfig(actor, parseConfigDocument(FILE, "yaml"))).toEqual(["orders", "billing"]);
    const orders = engine.getServiceSnapshot("orders")!;
    expect(orders.algorithm).toBe("weighted_round_robin");
    expect(orders.instances.map((i) => [i.id, i.weight])).toEqual([["orders-1", 5], ["orders-2", 1]]);
    expect(engine.getService("orders")!.config.health.methods).toEqual(["http", "tcp"]);
    expect(engine.getService("orders")!.config.breaker.failureThreshold).toBe(3);
    expect(await ops.applyConfig(actor, parseConfigDocument(FILE, "yaml"))).toEqual([]);
    const audit = await db.auth.audit.list({ limit: 10 });
    expect(audit.filter((r) => r.action === "config.apply")).toHaveLength(2);
  });

  it("removes manual instances no longer declared, and leaves discovered ones alone", async () => {
    await db.services.registerInstance(serviceName("orders"), { id: instanceId("disc-1"), host: "127.0.0.1", port: 9200, weight: 1, enabled: true, draining: false }, "discovery");
    const smaller = FILE.replace("      - { id: orders-2, host: 127.0.0.1, port: 9102 }\n", "");
    expect(await ops.applyConfig(actor, parseConfigDocument(smaller, "yaml"))).toEqual(["orders"]);
    expect((await db.services.get("orders"))!.instances.map((i) => [i.id, i.source])).toEqual([
      ["disc-1", "discovery"],
      ["orders-1", "manual"],
    ]);
  });

  it("applies nothing at all when one service of the document fails", async () => {
    const before = JSON.stringify(await db.services.list());
    const bad = parseConfigDocument(
      "services:\n  - name: fresh\n  - name: orders\n    instances: [{ id: disc-1, host: 127.0.0.1, port: 9300 }]\n",
      "yaml",
    );
    await expect(ops.applyConfig(actor, bad)).rejects.toThrow(/managed by discovery/);
    expect(JSON.stringify(await db.services.list())).toBe(before);
    expect(engine.getService("fresh")).toBeUndefined();
  });

  it("exports a document that applies back to no change, in YAML and JSON", async () => {
    const exported = await ops.exportConfig();
    for (const format of ["yaml", "json"] as const) {
      const text = stringifyConfigDocument(exported, format);
      expect(await ops.applyConfig(actor, parseConfigDocument(text, format))).toEqual([]);
    }
    expect(exported.services.find((s) => s.name === "orders")!.instances.map((i) => i.id)).toEqual(["orders-1"]);
  });
});
