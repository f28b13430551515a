/**
 * Starts the product the way a user does (`node scripts/start.mjs`, i.e.
 * `npm start`) on free loopback ports, and stops it with SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface StartedServer {
  readonly baseUrl: string;
  readonly proxyUrl: string;
  /** The broker the product uses: its embedded one on MQTT_EMBEDDED_PORT, or the given MQTT_URL. */
  readonly mqttUrl: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The first admin's password in every product the end-to-end tests start. */
export const E2E_ADMIN_PASSWORD = "e2e-admin-password-1234";

export async function startServer(env: Record<string, string> = {}, timeoutMs = 120_000): Promise<StartedServer> {
  const port = await freePort();
  const proxyPort = await freePort();
  const mqttPort = await freePort();
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), "alicia-e2e-"));
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: path.resolve(import.meta.dirname, "..", ".."),
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      PROXY_PORT: String(proxyPort),
      DATA_DIR: dataDir,
      LOG_LEVEL: "info",
      DATABASE_URL: "",
      MQTT_URL: "",
      MQTT_EMBEDDED_PORT: String(mqttPort),
      ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} during start:\n${output}`);
    try {
      const res = await fetch(`${baseUrl}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    baseUrl,
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    mqttUrl: env.MQTT_URL || `mqtt://127.0.0.1:${mqttPort}`,
    dataDir,
    child,
    output: () => output,
    stop() {
      if (child.exitCode !== null) return Promise.resolve(child.exitCode);
      return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        child.once("exit", (code) => {
          clearTimeout(timer);
          resolve(code);
        });
        child.kill("SIGTERM");
      });
    },
  };
}
