import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeStablePorts, type KafkaCluster, startKafka } from '@kafka-poc/local-stack';
import { uniqueName } from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, createProducer, KafkaError } from '../src/index.ts';

/**
 * A TCP forwarder that can turn into a black hole: connections open while it is one never carry
 * data again (as through a frozen middlebox); connections opened later work.
 */
async function blackHoleProxy(listenPort: number, upstreamPort: number) {
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
  return {
    swallowOpenConnections: () => {
      for (const s of open) dead.add(s);
    },
    close: () => {
      for (const s of open) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let cluster: KafkaCluster;
let dataDir: string;
let proxyPort: number;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kafka-delivery-timeout-test-'));
  [proxyPort = 0] = await freeStablePorts(1);
  cluster = await startKafka({
    dataDir,
    ports: 'random',
    heapMb: 256,
    listeners: [{ name: 'PROXIED', advertisedPorts: [proxyPort] }],
  });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe('the producer behind a link that goes silent', () => {
  it('fails a send Kafka never acknowledges after the delivery timeout, then sends on a new client', {
    timeout: 90_000,
  }, async () => {
    const upstream = cluster.nodes[0]?.listeners[0]?.port ?? 0;
    const proxy = await blackHoleProxy(proxyPort, upstream);
    const topic = uniqueName('delivery');
    const admin = createAdmin({
      brokers: cluster.bootstrapServers.split(','),
      clientId: uniqueName('admin'),
    });
    await admin.start();
    const producer = createProducer(
      { brokers: [`127.0.0.1:${proxyPort}`], clientId: uniqueName('producer') },
      { deliveryTimeoutMs: 3000, lingerMs: 0 },
    );
    try {
      await admin.ensureTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
      await producer.start();
      await producer.send([{ topic, key: 'a', value: 'before' }]);

      proxy.swallowOpenConnections();
      const started = Date.now();
      const error = await producer
        .send([{ topic, key: 'a', value: 'lost in the hole' }])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KafkaError);
      expect((error as KafkaError).code).toBe('KAFKA_DELIVERY_TIMEOUT');
      expect((error as KafkaError).retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(20_000);

      // The replacement client opens new connections, which carry data again.
      const [offset] = await producer.send([{ topic, key: 'a', value: 'after' }]);
      expect(offset?.topic).toBe(topic);
      const values = (await admin.readMessages(topic, { partition: 0, limit: 10 })).map((m) =>
        m.value.toString(),
      );
      expect(values).toContain('before');
      expect(values).toContain('after');
    } finally {
      await producer.stop();
      await admin.stop();
      await proxy.close();
    }
  });
});
