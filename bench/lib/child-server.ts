/**
 * The child side of the benchmark's process protocol, shared by every server
 * the runner starts (backends and fronts): backend ports arrive as argv, the
 * bound port is announced as one stdout line `listening <port>`, and the
 * process exits when its stdin closes, so a runner that dies (even SIGKILLed)
 * leaves no server behind.
 */
import type { AddressInfo, Server } from "node:net";

/** Backend ports given on the command line (`tsx bench/x.ts 40001 40002`). */
export function backendPorts(): number[] {
  const ports = process.argv.slice(2).map(Number);
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p <= 0 || p > 65_535)) {
    throw new RangeError(`expected backend ports as arguments, got ${JSON.stringify(process.argv.slice(2))}`);
  }
  return ports;
}

/** Listens on a free loopback port and announces it once bound. */
export function listenAndAnnounce(server: Server): void {
  server.listen(0, "127.0.0.1", () => {
    announce((server.address() as AddressInfo).port);
  });
}

/** Prints the port line the runner waits for, and ties this process's life to the runner's. */
export function announce(port: number): void {
  process.stdout.write(`listening ${port}\n`);
  process.stdin.on("close", () => process.exit(0));
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}
