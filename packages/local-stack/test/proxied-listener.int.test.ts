import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts, type KafkaCluster, printProgress, startKafka } from '../src/index.ts';
import { tempDir } from './temp-dir.ts';

/** A plain TCP forwarder standing in for a fault proxy (the chaos campaign uses toxiproxy). */
function forward(listenPort: number, upstreamPort: number): Promise<{ server: Server; cut: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) =>
    server.listen(listenPort, '127.0.0.1', () =>
      resolve({
        server,
        cut: () => {
          for (const s of sockets) s.destroy();
        },
      }),
    ),
  );
}

describe('startKafka with an extra listener', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('advertises the proxy port to clients of that listener only', { timeout: 120_000 }, async () => {
    const dir = await tempDir('kafka-listener');
    cleanup.push(dir.remove);
    const [proxyPort = 0] = await freePorts(1);
    const cluster: KafkaCluster = await startKafka({
      dataDir: join(dir.path, 'kafka'),
      ports: 'random',
      heapMb: 256,
      listeners: [{ name: 'CLIENT_A', advertisedPorts: [proxyPort] }],
      onProgress: printProgress('listener-test'),
    });
    cleanup.push(() => cluster.stop());
    const listener = cluster.nodes[0]?.listeners[0];
    expect(listener).toMatchObject({ name: 'CLIENT_A', advertisedPort: proxyPort });
    const proxy = await forward(proxyPort, listener?.port ?? 0);
    cleanup.push(() => new Promise((resolve) => proxy.server.close(resolve)));

    const viaProxy = new Admin({ clientId: 'listener-test', bootstrapBrokers: [`127.0.0.1:${proxyPort}`] });
    const direct = new Admin({
      clientId: 'listener-test',
      bootstrapBrokers: cluster.bootstrapServers.split(','),
    });
    cleanup.push(
      () => viaProxy.close(),
      () => direct.close(),
    );
    const proxied = await viaProxy.metadata({ topics: [] });
    expect([...proxied.brokers.values()].map((b) => b.port)).toEqual([proxyPort]);
    const plain = await direct.metadata({ topics: [] });
    expect([...plain.brokers.values()].map((b) => b.port)).toEqual([cluster.nodes[0]?.brokerPort]);

    // Through the proxy, a client works like any other; cutting the proxy cuts that client alone.
    await viaProxy.createTopics({ topics: ['via-proxy'], partitions: 1, replicas: 1 });
    proxy.cut();
    expect(await direct.listTopics()).toContain('via-proxy');
  });
});
