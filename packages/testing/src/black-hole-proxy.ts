import net from 'node:net';

// Home-made rather than toxiproxy: the tests need one fault (a link that silently stops carrying
// bytes, no FIN, no RST) between one client and Postgres or a broker, and a 50-line proxy needs no
// binary (toxiproxy's `timeout` toxic closes the connection after a while; a frozen middlebox never does).

/**
 * A TCP proxy (Postgres, a Kafka broker) that can "cut the cable": while cut, bytes in both directions are
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

  /** In front of a Postgres URL, or of host:port; on 127.0.0.1:listenPort (0: the kernel's choice). */
  static async start(
    upstream: string | { host: string; port: number },
    listenPort = 0,
  ): Promise<BlackholeProxy> {
    const target = typeof upstream === 'string' ? new URL(upstream) : undefined;
    const proxy = target
      ? new BlackholeProxy(target.hostname, Number(target.port || 5432))
      : new BlackholeProxy((upstream as { host: string }).host, (upstream as { port: number }).port);
    await new Promise<void>((resolve) => proxy.#server.listen(listenPort, '127.0.0.1', resolve));
    proxy.#port = (proxy.#server.address() as net.AddressInfo).port;
    return proxy;
  }

  get port(): number {
    return this.#port;
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
