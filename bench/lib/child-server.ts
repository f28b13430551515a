/**
 * The child side of the benchmark's process protocol, shared by every server
 * the runner starts (backends and fronts): backend ports arrive as argv, the
 * bound port is announced as one stdout line `listening <port>`, and the
 * process exits when its stdin closes, so a runner that dies (even SIGKILLed)
 * leaves no server behind. A child with something to finish before it exits
 * (a front that records stats) passes `beforeExit`, run on stdin close and on
 * SIGTERM; it may print its last lines to stdout, which the runner keeps.
 */
import type { AddressInfo, Server } from "node:net";

/** Backend ports given on the command line (`tsx bench/x.ts 40001 40002`); `--flags` are skipped. */
export function backendPorts(): number[] {
  const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const ports = args.map(Number);
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p <= 0 || p > 65_535)) {
    throw new RangeError(`expected backend ports as arguments, got ${JSON.stringify(process.argv.slice(2))}`);
  }
  return ports;
}

/** Whether `--name` was given on the command line. */
export function hasFlag(name: string): boolean {
  return process.argv.slice(2).includes(`--${name}`);
}

/** Listens on a free loopback port and announces it once bound. */
export function listenAndAnnounce(server: Server): void {
  server.listen(0, "127.0.0.1", () => {
    announce((server.address() as AddressInfo).port);
  });
}

/** Prints the port line the runner waits for, and ties this process's life to the runner's. */
export function announce(port: number, beforeExit?: () => Promise<void>): void {
  process.stdout.write(`listening ${port}\n`);
  let exiting = false;
  const exit = () => {
    if (exiting) return;
    exiting = true;
    if (beforeExit === undefined) process.exit(0);
    beforeExit().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`before exit: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.stdin.on("close", exit);
  process.stdin.on("end", exit);
  if (beforeExit !== undefined) process.on("SIGTERM", exit);
  process.stdin.resume();
}
