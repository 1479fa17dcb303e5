import net from 'node:net';

// Home-made rather than toxiproxy: the test needs one fault (a link that silently stops carrying
// bytes, no FIN, no RST) between one process and Postgres, and a 50-line proxy needs no binary.

/**
 * A TCP proxy in front of Postgres that can "cut the cable": while cut, bytes in both directions are
 * dropped and nothing is closed, so neither side sees an error, only silence (a cut link, a
 * partition, a dead NAT entry). New connections while cut hang the same way. `heal()` lets new
 * connections through again (the silenced ones stay dead, as after a real partition).
 */
export class BlackholeProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #cut = false;
  /** Bumped by every cut: a connection from before a cut never carries a byte again. */
  #generation = 0;
  #port = 0;

  private constructor(upstreamHost: string, upstreamPort: number) {
    this.#server = net.createServer((client) => {
      this.#sockets.add(client);
      client.on('close', () => this.#sockets.delete(client));
      client.on('error', () => {});
      if (this.#cut) return; // accepted, never answered
      const generation = this.#generation;
      const up = () => !this.#cut && generation === this.#generation;
      const upstream = net.connect(upstreamPort, upstreamHost);
      this.#sockets.add(upstream);
      upstream.on('close', () => this.#sockets.delete(upstream));
      upstream.on('error', () => {
        if (up()) client.destroy();
      });
      client.on('error', () => {
        if (up()) upstream.destroy();
      });
      const forward = (from: net.Socket, to: net.Socket) => {
        from.on('data', (chunk) => {
          if (up()) to.write(chunk);
        });
        // A close is only passed on while the link is up: a cut link carries no FIN either.
        from.on('end', () => {
          if (up()) to.end();
        });
      };
      forward(client, upstream);
      forward(upstream, client);
    });
  }

  static async start(upstreamUrl: string): Promise<BlackholeProxy> {
    const url = new URL(upstreamUrl);
    const proxy = new BlackholeProxy(url.hostname, Number(url.port || 5432));
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    proxy.#port = (proxy.#server.address() as net.AddressInfo).port;
    return proxy;
  }

  /** The same URL, through this proxy. */
  url(upstreamUrl: string): string {
    const url = new URL(upstreamUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.#port);
    return url.toString();
  }

  cut(): void {
    this.#cut = true;
    this.#generation++;
  }

  heal(): void {
    this.#cut = false;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
