import { Toxiproxy, type Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';

export type ToxicType = 'latency' | 'timeout' | 'reset_peer' | 'bandwidth' | 'slicer';

export interface ToxicSpec {
  type: ToxicType;
  stream: 'upstream' | 'downstream';
  /** Share of connections affected (default 1). */
  toxicity?: number;
  attributes: Record<string, number>;
}

/**
 * The campaign's toxiproxy proxies, by name, through toxiproxy-node-client (a thin client of its
 * HTTP API). Toxics are named after the fault that added them, so healing removes exactly those.
 */
export class Proxies {
  readonly #client: Toxiproxy;
  readonly #proxies = new Map<string, ToxiproxyProxy>();

  constructor(apiUrl: string) {
    this.#client = new Toxiproxy(apiUrl);
  }

  async create(name: string, listenPort: number, upstreamPort: number): Promise<void> {
    const proxy = await this.#client.createProxy({
      name,
      listen: `127.0.0.1:${listenPort}`,
      upstream: `127.0.0.1:${upstreamPort}`,
      enabled: true,
    });
    this.#proxies.set(name, proxy);
  }

  /** Disabled: open connections are closed and new ones refused, until enabled again. */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    const proxy = this.#proxy(name);
    const updated = await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
    this.#proxies.set(name, updated);
  }

  async addToxic(proxyName: string, toxicName: string, spec: ToxicSpec): Promise<void> {
    await this.#proxy(proxyName).addToxic({
      name: toxicName,
      type: spec.type,
      stream: spec.stream,
      toxicity: spec.toxicity ?? 1,
      attributes: spec.attributes,
    });
  }

  /** Removes a toxic; one that is already gone is fine (healing twice is healing). */
  async removeToxic(proxyName: string, toxicName: string): Promise<void> {
    try {
      const toxic = await this.#proxy(proxyName).getToxic(toxicName);
      await toxic.remove();
    } catch (error) {
      if (!/status code 404/.test((error as Error).message)) throw error;
    }
  }

  /** Every proxy enabled and without toxics (toxiproxy's own reset). */
  async resetAll(): Promise<void> {
    await this.#client.reset();
  }

  #proxy(name: string): ToxiproxyProxy {
    const proxy = this.#proxies.get(name);
    if (!proxy) throw new Error(`no proxy ${name}`);
    return proxy;
  }
}
