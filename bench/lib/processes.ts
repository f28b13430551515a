/**
 * The runner's child processes: started pinned to one core (`taskset -c`,
 * when present; taskset execs, so the pid is the pinned program's own), kept
 * in one registry, and all killed at the end, on SIGINT/SIGTERM and on exit,
 * when the temporary directories registered here are removed too. Every wait
 * is bounded in time.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();

/** A new directory under the system temp dir, removed at exit unless removed before. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

export const HAS_TASKSET = hasCommand("taskset");

/** A command line run on `core` only (unpinned when taskset is missing). */
function pinned(core: number, command: string, args: readonly string[]): [string, string[]] {
  return HAS_TASKSET ? ["taskset", ["-c", String(core), command, ...args]] : [command, [...args]];
}

/** `node --import tsx <file>`: one process per script, unlike the tsx CLI (a parent and a child). */
export function tsxArgs(file: string, args: readonly (string | number)[]): [string, string[]] {
  return [process.execPath, ["--import", "tsx", file, ...args.map(String)]];
}

export interface Server {
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
  /** Everything the server printed on stdout so far (announcing servers only). */
  output?(): string;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** With `graceMs`, stdin closed and up to that long for the child to exit by itself; then SIGTERM, then SIGKILL after 2 s. */
async function stopChild(child: ChildProcess, graceMs = 0): Promise<void> {
  if (graceMs > 0 && !exited(child)) {
    child.stdin?.end();
    await waitExit(child, graceMs);
  }
  if (!exited(child)) {
    child.kill("SIGTERM");
    if (!(await waitExit(child, 2_000))) {
      child.kill("SIGKILL");
      await waitExit(child, 2_000);
    }
  }
  live.delete(child);
}

function track(command: string, args: string[], stdout: "pipe" | "inherit"): ChildProcess {
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ["pipe", stdout, "inherit"] });
  live.add(child);
  child.on("exit", () => live.delete(child));
  child.on("error", () => live.delete(child));
  return child;
}

function stopper(child: ChildProcess, graceMs = 0): Server["stop"] {
  return () => stopChild(child, graceMs);
}

export interface AnnouncingOptions {
  /** How long to wait for the `listening` line (default 15 s). */
  readonly startTimeoutMs?: number;
  /** On stop, how long the child may take to exit by itself once its stdin is closed (default 0: SIGTERM at once). */
  readonly stopGraceMs?: number;
}

/**
 * Starts a server that announces `listening <port>` on stdout (bench/lib/child-server)
 * and resolves once it has, within the start timeout. Its stdout is kept (`output()`).
 */
export function startAnnouncingServer(core: number, command: [string, string[]], options: AnnouncingOptions = {}): Promise<Server> {
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const child = track(...pinned(core, command[0], command[1]), "pipe");
  return new Promise((resolve, reject) => {
    let seen = "";
    let announced = false;
    const fail = (why: string) => {
      clearTimeout(timer);
      void stopChild(child);
      reject(new Error(`${command[1].join(" ")}: ${why}`));
    };
    const timer = setTimeout(() => fail(`no "listening" line within ${timeoutMs} ms`), timeoutMs);
    child.once("error", (error) => fail(error.message));
    child.once("exit", (code, signal) => fail(`exited (${signal ?? code ?? "?"}) before listening`));
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (announced) return;
      const match = /listening (\d+)\n/.exec(seen);
      if (match === null || child.pid === undefined) return;
      announced = true;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.on("exit", () => live.delete(child));
      resolve({ pid: child.pid, port: Number(match[1]), stop: stopper(child, options.stopGraceMs), output: () => seen });
    });
  });
}

/** Starts a server that says nothing; `ready` decides when it listens. */
export async function startSilentServer(
  core: number,
  command: [string, string[]],
  port: number,
  ready: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<Server> {
  const child = track(...pinned(core, command[0], command[1]), "inherit");
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && !exited(child)) {
    if (await ready()) {
      if (child.pid === undefined) break;
      return { pid: child.pid, port, stop: stopper(child) };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stopChild(child);
  throw new Error(`${command[0]}: not listening on ${port} within ${timeoutMs} ms`);
}

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
}

/** Runs a command to completion on `core`, capturing stdout (or letting it through); killed after `timeoutMs`. */
export function runToEnd(core: number | undefined, command: [string, string[]], timeoutMs: number, stdout: "pipe" | "inherit" = "pipe"): Promise<Finished> {
  const [cmd, args] = core === undefined ? command : pinned(core, command[0], command[1]);
  const child = track(cmd, args, stdout);
  child.stdin?.end();
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void stopChild(child), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, stdout: out });
    });
  });
}

/** Kills whatever is still running and removes the registered directories, synchronously. */
function cleanUp(): void {
  for (const child of live) if (!exited(child)) child.kill("SIGKILL");
  live.clear();
  for (const dir of tempDirs) removeTempDir(dir);
}

/** Installs the handlers that leave no child and no temporary directory behind. */
export function cleanUpOnExit(): void {
  process.on("exit", cleanUp);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      process.exit(signal === "SIGINT" ? 130 : 143); // "exit" runs cleanUp
    });
  }
}
