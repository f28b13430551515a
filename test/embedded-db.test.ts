/**
 * The embedded database keeps its data across restarts, serves Prisma through
 * the pg adapter, and refuses a second process on the same data directory.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "../server/db";
import { startEmbeddedDatabase } from "../server/db/embedded";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "alicia-embedded-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("embedded database", () => {
  it("keeps services and instances across a restart", async () => {
    const first = await createDb({ kind: "embedded", dataDir });
    expect(first.kind).toBe("embedded");
    expect(first.migrations.applied.length).toBeGreaterThan(0);
    await first.prisma.service.create({
      data: {
        name: "orders",
        algorithm: "least_connections",
        instances: { create: [{ instanceId: "orders-1", host: "127.0.0.1", port: 9001, weight: 3 }] },
      },
    });
    await first.close();

    const second = await createDb({ kind: "embedded", dataDir });
    try {
      expect(second.migrations.applied).toEqual([]);
      const services = await second.services.list();
      expect(services).toHaveLength(1);
      expect(services[0]!.config.name).toBe("orders");
      expect(services[0]!.config.algorithm).toBe("least_connections");
      expect(services[0]!.instances).toEqual([
        { id: "orders-1", host: "127.0.0.1", port: 9001, weight: 3, enabled: true, draining: false, source: "manual" },
      ]);
    } finally {
      await second.close();
    }
  });

  it("refuses a data directory that a live process holds, and takes over a stale lock", async () => {
    const db = await startEmbeddedDatabase(dataDir);
    try {
      await expect(startEmbeddedDatabase(dataDir)).rejects.toThrow(`in use by process ${process.pid}`);
    } finally {
      await db.stop();
    }
    const gone = spawnSync("true"); // a pid that existed and has exited: a stale lock
    expect(gone.status).toBe(0);
    writeFileSync(path.join(dataDir, "pglite.lock"), String(gone.pid));
    const reopened = await startEmbeddedDatabase(dataDir);
    await reopened.stop();

    writeFileSync(path.join(dataDir, "pglite.lock"), "1"); // pid 1 is alive on any machine
    await expect(startEmbeddedDatabase(dataDir)).rejects.toThrow(/in use by process 1\b/);
    rmSync(path.join(dataDir, "pglite.lock"));
  });
});
