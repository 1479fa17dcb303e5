import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Asks the kernel for a free TCP port on 127.0.0.1. Racy by nature: bind it soon after. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Several distinct free ports (held open together so the kernel cannot hand out the same one twice). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      const server = createServer();
      server.unref();
      return new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
      });
    }),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    return typeof address === 'object' && address ? address.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** True when nothing listens on 127.0.0.1:port (we can bind it ourselves). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The kernel's range for the local ports of outgoing connections (Linux; the usual default elsewhere). */
export function ephemeralPortRange(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low && high) return { low, high };
  } catch {
    // Not Linux: fall through to the common default.
  }
  return { low: 32768, high: 60999 };
}

/**
 * Free ports below the ephemeral range, for servers that stop and start again on the same port (a
 * restarted broker, Postgres or service): a free port from freePorts() is in the ephemeral range,
 * and while its server is down any outgoing connection on the machine may take it as its local
 * port, so the restart fails with EADDRINUSE. Ports are probed from a random start in [10000, low).
 */
export async function freeStablePorts(count: number): Promise<number[]> {
  const floor = 10_000;
  const { low } = ephemeralPortRange();
  const span = low - floor;
  if (span < count) return freePorts(count);
  const start = floor + Math.floor(Math.random() * span);
  const ports: number[] = [];
  for (let i = 0; i < span && ports.length < count; i++) {
    const port = floor + ((start - floor + i) % span);
    if (await isPortFree(port)) ports.push(port);
  }
  return ports;
}
