import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type KafkaCluster,
  type KafkaSecurityOptions,
  printProgress,
  startKafka,
  warmUpGroupCoordinator,
} from '@kafka-poc/local-stack';
import { uniqueName, waitFor } from '@kafka-poc/testing';
import { expect } from 'vitest';
import {
  createAdmin,
  createConsumerRunner,
  createProducer,
  type IncomingMessage,
  type KafkaConnectionConfig,
  KafkaError,
} from '../src/index.ts';

/** A broker of its own for one test file (security settings are per broker), on random ports. */
export async function startSecuredKafka(
  name: string,
  security: KafkaSecurityOptions,
): Promise<{ cluster: KafkaCluster; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `kafka-poc-${name}-`));
  const remove = () => rm(dir, { recursive: true, force: true });
  let cluster: KafkaCluster;
  try {
    cluster = await startKafka({
      dataDir: join(dir, 'kafka'),
      ports: 'random',
      heapMb: 256,
      security,
      onProgress: printProgress(name),
    });
  } catch (error) {
    await remove();
    throw error;
  }
  const stop = async () => {
    await cluster.stop();
    await remove();
  };
  try {
    await warmUpGroupCoordinator(cluster.bootstrapServers.split(','), 30_000, cluster.clientSecurity());
  } catch (error) {
    await stop();
    throw error;
  }
  return { cluster, stop };
}

export function connectionTo(
  cluster: KafkaCluster,
  overrides: Partial<KafkaConnectionConfig> = {},
): KafkaConnectionConfig {
  return {
    brokers: cluster.bootstrapServers.split(','),
    clientId: uniqueName('secure'),
    ...cluster.clientSecurity(),
    ...overrides,
  };
}

/**
 * Every client kind through one connection: admin (topic + reader), producer, consumer runner, group
 * offsets. Returns the values the runner handled.
 */
export async function roundTrip(connection: KafkaConnectionConfig, count = 20): Promise<string[]> {
  const admin = createAdmin(connection);
  const producer = createProducer(connection);
  const handled: IncomingMessage[] = [];
  const groupId = uniqueName('secure-group');
  const topic = uniqueName('secure-topic');
  const runner = createConsumerRunner({
    connection,
    groupId,
    topics: [topic],
    handler: async (batch) => {
      handled.push(...batch);
    },
  });
  try {
    await admin.start();
    await admin.ensureTopics([{ name: topic, partitions: 2, replicationFactor: 1 }]);
    await producer.start();
    const sent = Array.from({ length: count }, (_, i) => `secret-${i}`);
    await producer.send(sent.map((value, i) => ({ topic, key: `k${i % 5}`, value })));
    await runner.start();
    await waitFor(() => handled.length >= count, { message: `${count} messages consumed` });
    await waitFor(async () => (await admin.groupLag(groupId, [topic])).every((p) => p.lag === 0n), {
      message: 'offsets committed',
    });
    const read = [
      ...(await admin.readMessages(topic, { partition: 0, limit: count })),
      ...(await admin.readMessages(topic, { partition: 1, limit: count })),
    ];
    expect(read).toHaveLength(count);
    return handled.map((m) => m.value.toString('utf8')).sort();
  } finally {
    await runner.stop().catch(() => undefined);
    await producer.stop().catch(() => undefined);
    await admin.stop().catch(() => undefined);
  }
}

/**
 * Starts each kind of client with a connection the broker must refuse; returns the KafkaErrors, and
 * fails if any start succeeds or takes longer than `withinMs` (no hang).
 */
export async function refusedStarts(
  connection: KafkaConnectionConfig,
  withinMs = 15_000,
): Promise<KafkaError[]> {
  const starts: [string, () => { start(): Promise<void>; stop(): Promise<void> }][] = [
    ['admin', () => createAdmin(connection)],
    ['producer', () => createProducer(connection)],
    [
      'consumer runner',
      () =>
        createConsumerRunner({
          connection,
          groupId: uniqueName('refused'),
          topics: ['__consumer_offsets'],
          handler: async () => {},
        }),
    ],
  ];
  return Promise.all(
    starts.map(async ([kind, create]) => {
      const client = create();
      const startedAt = Date.now();
      try {
        await client.start();
      } catch (error) {
        expect(Date.now() - startedAt, `${kind} gave up in time`).toBeLessThan(withinMs);
        expect(error, kind).toBeInstanceOf(KafkaError);
        return error as KafkaError;
      } finally {
        await client.stop().catch(() => undefined);
      }
      throw new Error(`${kind} started although the broker should have refused it`);
    }),
  );
}
