import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeStablePorts, type KafkaCluster, startKafka } from '@kafka-poc/local-stack';
import { BlackholeProxy, uniqueName } from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, createProducer, KafkaError } from '../src/index.ts';

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
    const proxy = await BlackholeProxy.start({ host: '127.0.0.1', port: upstream }, proxyPort);
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

      // Open connections go silent; new ones (the replacement client's) carry data.
      proxy.cut();
      proxy.heal();
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
      await proxy.stop();
    }
  });
});
