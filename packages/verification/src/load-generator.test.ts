import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrder, parseStockSeed, startLoad } from './load-generator.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** An order-service stand-in: 201 for even requests, a dropped connection for odd ones. */
async function flakyServer(): Promise<{ url: string; keys: string[] }> {
  const keys: string[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    keys.push(String(req.headers['idempotency-key']));
    if (n++ % 2 === 1) {
      req.socket.destroy();
      return;
    }
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `order-${n}` }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, keys };
}

describe('startLoad', () => {
  it('records the key of every request, the id of each 201, and a dropped connection as reset', async () => {
    const server = await flakyServer();
    const load = startLoad({ rate: 50, durationMs: 200, targets: () => [server.url], keyPrefix: 'run' });
    const result = await load.done;
    expect(result.sent).toBe(10);
    expect(result.accepted).toHaveLength(5);
    expect(result.rejected).toEqual({ reset: 5 });
    expect(result.samples.map((s) => s.key).sort()).toEqual([...server.keys].sort());
    expect(result.samples.filter((s) => s.outcome === 201).every((s) => s.id?.startsWith('order-'))).toBe(
      true,
    );
    expect(load.progress()).toMatchObject({ sent: 10, answered: 10, outcomes: { '201': 5, reset: 5 } });
  });

  it('counts a request to a port nothing listens on as refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const result = await startLoad({ rate: 20, durationMs: 100, targets: () => [`http://127.0.0.1:${port}`] })
      .done;
    expect(result.rejected).toEqual({ refused: 2 });
  });

  it('asks for a fixed rotation of orders and reads a stock seed', () => {
    expect([0, 1, 2, 3].map(loadOrder)).toEqual([
      { item: 'Laptop', quantity: 1 },
      { item: 'Phone', quantity: 2 },
      { item: 'Headphones', quantity: 3 },
      { item: 'Monitor', quantity: 1 },
    ]);
    expect(parseStockSeed('Laptop=40, Phone=7')).toEqual(
      new Map([
        ['Laptop', 40],
        ['Phone', 7],
      ]),
    );
  });
});
