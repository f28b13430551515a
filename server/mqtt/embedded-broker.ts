/**
 * The embedded MQTT broker (aedes) used when no MQTT_URL is given: listens on
 * 127.0.0.1 only (a free port unless MQTT_EMBEDDED_PORT is set), so other
 * local services can join Alicia's bus without installing a broker.
 */
import net from "node:net";
import { Aedes } from "aedes";

export interface EmbeddedBroker {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(port: number): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`MQTT_EMBEDDED_PORT ${port} is already in use on 127.0.0.1; choose another or leave it unset for a free port`)
          : error,
      );
    });
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("embedded broker has no TCP address");
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  let closing: Promise<void> | undefined;
  return {
    host: "127.0.0.1",
    port: address.port,
    url: `mqtt://127.0.0.1:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          broker.close(() => {
            resolve();
          });
        });
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
