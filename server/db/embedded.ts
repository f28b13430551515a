/**
 * Starts the embedded database (PGlite) in a worker thread and tells where it
 * listens. The data directory holds PostgreSQL's files and survives restarts;
 * a lock file keeps a second process from opening the same directory (PGlite
 * is single-process: two writers would corrupt it).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";

export interface EmbeddedDatabase {
  /** postgresql:// URL on 127.0.0.1 for `pg` and the Prisma adapter. */
  readonly url: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

type WorkerMessage = { type: "ready"; port: number } | { type: "error"; message: string } | { type: "stopped" };

const WORKER_URL = new URL("./pglite-worker.mjs", import.meta.url);
/** Connections the socket server accepts; they share one session (see ENVIRONMENT.md). */
export const EMBEDDED_MAX_CONNECTIONS = 8;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function takeLock(lockFile: string): void {
  try {
    writeFileSync(lockFile, String(process.pid), { flag: "wx" });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const holder = Number.parseInt(readFileSync(lockFile, "utf8"), 10);
  if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) {
    throw new Error(`the embedded database in ${path.dirname(lockFile)} is in use by process ${holder}`);
  }
  // A stale lock from a process that died: take it over.
  writeFileSync(lockFile, String(process.pid));
}

export async function startEmbeddedDatabase(dataDir: string, startTimeoutMs = 60_000): Promise<EmbeddedDatabase> {
  const dir = path.resolve(dataDir, "pglite");
  mkdirSync(dir, { recursive: true });
  const lockFile = path.join(path.resolve(dataDir), "pglite.lock");
  takeLock(lockFile);

  const worker = new Worker(WORKER_URL, {
    workerData: { dataDir: dir, maxConnections: EMBEDDED_MAX_CONNECTIONS },
    name: "pglite",
  });
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`embedded database did not start within ${startTimeoutMs} ms`));
      }, startTimeoutMs);
      const onMessage = (message: WorkerMessage) => {
        if (message.type === "ready") {
          clearTimeout(timer);
          resolve(message.port);
        } else if (message.type === "error") {
          clearTimeout(timer);
          reject(new Error(`embedded database failed to start: ${message.message}`));
        }
      };
      worker.on("message", onMessage);
      worker.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      worker.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`embedded database worker exited with code ${code} during start`));
      });
    });
  } catch (error) {
    await worker.terminate();
    rmSync(lockFile, { force: true });
    throw error;
  }
  worker.removeAllListeners("exit");

  let stopping: Promise<void> | undefined;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    dataDir: dir,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate(), 15_000);
        worker.once("exit", () => {
          clearTimeout(timer);
          rmSync(lockFile, { force: true });
          resolve();
        });
        worker.postMessage({ type: "stop" });
      });
      return stopping;
    },
  };
}
