// The embedded database: PGlite (PostgreSQL compiled to WebAssembly) served
// over the Postgres wire protocol on a loopback port, in its own worker thread.
// PGlite blocks the thread it runs on; here a slow chart query stalls only this
// worker, never the proxy's event loop. The main thread reaches it through the
// same driver adapter (@prisma/adapter-pg over `pg`) as a real PostgreSQL.
//
// Protocol with the parent (server/db/embedded.ts):
//   workerData: { dataDir }
//   → { type: "ready", port }       once the socket server listens
//   → { type: "error", message }    if the start fails
//   ← { type: "stop" }              close the socket server and the database
//   → { type: "stopped" }           files are flushed; the worker then exits
//
// Plain JavaScript on purpose: a worker_threads entry must be loadable by Node
// itself, under tsx, vitest and the built server alike.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** @type {{ dataDir: string, maxConnections: number }} */
const { dataDir, maxConnections } = workerData;
const port = parentPort;
if (!port) throw new Error("pglite-worker must run in a worker thread");

/** @type {PGlite | undefined} */
let db;
/** @type {PGLiteSocketServer | undefined} */
let server;

try {
  db = await PGlite.create({ dataDir });
  server = new PGLiteSocketServer({ db, port: 0, host: "127.0.0.1", maxConnections });
  await server.start();
  const [, listenPort] = server.getServerConn().split(":");
  port.postMessage({ type: "ready", port: Number(listenPort) });
} catch (error) {
  port.postMessage({ type: "error", message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

port.on("message", async (message) => {
  if (message?.type !== "stop") return;
  try {
    await server?.stop();
    await db?.close();
  } finally {
    port.postMessage({ type: "stopped" });
    port.close();
  }
});
