/**
 * nginx as a front: a generated nginx.conf in a temp dir (foreground, one
 * process: master_process off; upstream keepalive 64 to every backend;
 * HTTP/1.1 with the Connection header cleared, so upstream connections are
 * reused; no access log; pid, error log and temp paths under the temp dir).
 */
import { writeFileSync } from "node:fs";
import { connect, createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { makeTempDir, removeTempDir, startSilentServer, type Server } from "./processes";

export function nginxConfig(dir: string, port: number, backendPorts: readonly number[]): string {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream backends {
${backendPorts.map((p) => `    server 127.0.0.1:${p};`).join("\n")}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

/** A port free right now (bound and released; nginx cannot announce one itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Starts nginx pinned to `core`; its temp dir is removed when it stops. */
export async function startNginx(core: number, backendPorts: readonly number[]): Promise<Server> {
  const dir = makeTempDir("alicia-bench-nginx-");
  const port = await freePort();
  writeFileSync(join(dir, "nginx.conf"), nginxConfig(dir, port, backendPorts));
  try {
    const server = await startSilentServer(core, ["nginx", ["-p", dir, "-e", join(dir, "error.log"), "-c", join(dir, "nginx.conf")]], port, () =>
      accepts(port),
    );
    return {
      ...server,
      async stop() {
        await server.stop();
        removeTempDir(dir);
      },
    };
  } catch (error) {
    removeTempDir(dir);
    throw error;
  }
}
