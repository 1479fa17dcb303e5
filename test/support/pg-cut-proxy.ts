// A TCP proxy in front of PostgreSQL for one fault that general proxies (toxiproxy) cannot aim: cut
// a connection right after the server answered one particular statement (so it has committed) and
// before the client sees the answer. Small enough to own; it reads only the message framing.
import { connect, createServer, type Server, type Socket } from 'node:net';

interface Armed {
  marker: Buffer;
  resolve: () => void;
}

export class PgCutProxy {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #armed: Armed | undefined;
  cuts = 0;

  private constructor(server: Server, target: { host: string; port: number }) {
    this.#server = server;
    this.#target = target;
  }

  /** Listens on a random port of 127.0.0.1 and forwards to the host and port of `databaseUrl`. */
  static async start(databaseUrl: string): Promise<PgCutProxy> {
    const url = new URL(databaseUrl);
    const server = createServer();
    const proxy = new PgCutProxy(server, { host: url.hostname, port: Number(url.port || 5432) });
    server.on('connection', (client) => proxy.#pipe(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** `databaseUrl` pointed at the proxy. */
  url(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    const address = this.#server.address();
    if (typeof address !== 'object' || !address) throw new Error('proxy not listening');
    url.hostname = '127.0.0.1';
    url.port = String(address.port);
    return url.toString();
  }

  /**
   * Arms one cut: the next client message that contains `marker` (e.g. a prepared statement's name)
   * is forwarded; the server's answer is held back until its ReadyForQuery (the statement is done
   * and, outside a transaction block, committed), then both sides of that connection are destroyed.
   * Resolves once the cut happened.
   */
  cutAfterAnswerTo(marker: string): Promise<void> {
    return new Promise((resolve) => {
      this.#armed = { marker: Buffer.from(marker), resolve };
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #pipe(client: Socket): void {
    const server = connect(this.#target.port, this.#target.host);
    this.#sockets.add(client).add(server);
    let held: { data: Buffer; armed: Armed } | undefined;
    const destroy = () => {
      client.destroy();
      server.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(server);
    };
    client.on('data', (chunk) => {
      const armed = this.#armed;
      if (armed && chunk.includes(armed.marker)) {
        this.#armed = undefined;
        // node-postgres waits for ReadyForQuery before its next query, so the server's stream is at
        // a message boundary here: everything it sends from now on answers this statement.
        held = { data: Buffer.alloc(0), armed };
      }
      server.write(chunk);
    });
    server.on('data', (chunk) => {
      if (!held) {
        client.write(chunk);
        return;
      }
      held.data = Buffer.concat([held.data, chunk]);
      if (containsReadyForQuery(held.data)) {
        this.cuts += 1;
        destroy();
        held.armed.resolve();
      }
    });
    client.on('error', destroy);
    server.on('error', destroy);
    client.on('close', destroy);
    server.on('close', destroy);
  }
}

/** Backend messages are a type byte and a length (that counts itself); 'Z' is ReadyForQuery. */
function containsReadyForQuery(data: Buffer): boolean {
  let at = 0;
  while (at + 5 <= data.length) {
    const type = String.fromCharCode(data[at] ?? 0);
    const length = data.readUInt32BE(at + 1);
    if (at + 1 + length > data.length) return false;
    if (type === 'Z') return true;
    at += 1 + length;
  }
  return false;
}
