// A TCP proxy for fault tests: the service talks to a dependency (PostgreSQL) through it,
// and the test cuts the line without stopping the shared server. pause() destroys every
// open connection and closes each new one as soon as it arrives (a dead server, seen from
// the client); resume() forwards again. The port never changes.
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  /** The port on 127.0.0.1 to connect to instead of the target. */
  port: number;
  /** Connections forwarded so far (each one a client socket). */
  readonly accepted: number;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let paused = false;
  let accepted = 0;
  const track = (socket: Socket) => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
    // A reset peer is expected here: pause() resets both sides on purpose.
    socket.on("error", () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    if (paused) {
      client.resetAndDestroy();
      return;
    }
    accepted++;
    const upstream = createConnection({ host: targetHost, port: targetPort });
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("proxy has no address");
  const cutAll = () => {
    for (const socket of open) socket.destroy();
  };
  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    pause() {
      paused = true;
      cutAll();
    },
    resume() {
      paused = false;
    },
    close() {
      cutAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
