/**
 * Runs the product as a child process, exactly as `npm start` does
 * (scripts/start.mjs), on free loopback ports.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "..", "..");

export const TEST_ADMIN_PASSWORD = "integration-admin-password";

/** Signs in as the first admin; returns the Cookie header value for later requests. */
export async function signIn(baseUrl: string, username = "admin", password = TEST_ADMIN_PASSWORD): Promise<string> {
  const res = await fetch(`${baseUrl}/api/trpc/auth.signIn`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get("set-cookie") ?? "";
  return cookie.split(";")[0] ?? "";
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

export interface ProductProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly proxyUrl: string;
  output(): string;
  /** Resolves with the exit code once the process ends. */
  exited(): Promise<number | null>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  waitReady(timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function runProduct(env: Record<string, string>): Promise<ProductProcess> {
  const port = await freePort();
  const proxyPort = await freePort();
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      PROXY_PORT: String(proxyPort),
      DATABASE_URL: "",
      MQTT_URL: "",
      LOG_LEVEL: "info",
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;

  const product: ProductProcess = {
    child,
    baseUrl,
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    output: () => output,
    exited: () => exit,
    waitForOutput(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async waitReady(timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ready:\n${output}`);
        try {
          const res = await fetch(`${baseUrl}/readyz`);
          if (res.status === 200) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs} ms:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) {
        const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        child.kill(signal);
        const code = await exit;
        clearTimeout(killer);
        return code;
      }
      return exit;
    },
  };
  return product;
}
