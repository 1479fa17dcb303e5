// A few lines of node:net instead of toxiproxy: the unit and integration tests that need it start
// no other process, and "connections open now never carry data again" is not one of toxiproxy's
// toxics (its `timeout` toxic closes the connection after a while; a frozen middlebox never does).
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface BlackHoleProxy {
  /** The port it listens on (the one asked for, or the kernel's choice for 0). */
  port: number;
  /** The connections open now never carry data again (as through a frozen middlebox); later ones work. */
  swallowOpenConnections(): void;
  close(): Promise<void>;
}

/** A TCP forwarder on 127.0.0.1:listenPort (0: any) to 127.0.0.1:upstreamPort that can turn into a black hole. */
export async function blackHoleProxy(listenPort: number, upstreamPort: number): Promise<BlackHoleProxy> {
  const open = new Set<Socket>();
  const dead = new WeakSet<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(from);
      from.on('data', (chunk) => {
        if (!dead.has(client)) to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => {
        open.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : listenPort,
    swallowOpenConnections: () => {
      for (const s of open) dead.add(s);
    },
    close: () => {
      for (const s of open) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
