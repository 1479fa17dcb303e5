import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KafkaCluster, startKafka } from '@kafka-poc/local-stack';
import { uniqueName } from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, createProducer, type KafkaConnectionConfig } from '../src/index.ts';

// A frozen broker (SIGSTOP) keeps its connections open and unanswered; after the broker session
// timeout (4 s here) its leaderships move to the other two brokers. This file starts its own
// 3-node cluster: the shared test broker is a single node and must not be paused.
let cluster: KafkaCluster;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kafka-pause-test-'));
  cluster = await startKafka({ dataDir, brokers: 3, ports: 'random', heapMb: 384 });
}, 180_000);

afterAll(async () => {
  for (const node of cluster?.nodes ?? []) if (node.pid) process.kill(node.pid, 'SIGCONT');
  await cluster?.stop();
  await rm(dataDir, { recursive: true, force: true });
}, 90_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a broker paused under a send', () => {
  it('does not hold the send once its leaderships have moved to different brokers', {
    timeout: 150_000,
  }, async () => {
    const connection: KafkaConnectionConfig = {
      brokers: cluster.bootstrapServers.split(','),
      clientId: uniqueName('pause'),
    };
    const admin = createAdmin(connection);
    await admin.start();
    const topic = uniqueName('pause');
    // 12 partitions: the paused broker leads several, and they move to both other brokers.
    await admin.ensureTopics([
      { name: topic, partitions: 12, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    const [description] = await admin.describeTopics([topic]);
    const leaders = (description?.partitions ?? []).map((p) => p.leader);
    const victim = [1, 2, 3].sort((a, b) => count(leaders, b) - count(leaders, a))[0] ?? 1;
    const pid = cluster.nodes.find((n) => n.nodeId === victim)?.pid;
    if (pid === undefined) throw new Error(`broker ${victim} is not running`);

    // Long enough that a send held until it gives Kafka up fails the test instead of passing late.
    const producer = createProducer(connection, { lingerMs: 0, deliveryTimeoutMs: 100_000 });
    await producer.start();
    const batch = (round: string) =>
      Array.from({ length: 48 }, (_, i) => ({ topic, partition: i % 12, value: `${round}-${i}` }));
    await producer.send(batch('before'));

    process.kill(pid, 'SIGSTOP');
    let outcome: string | undefined;
    const during = producer.send(batch('during')).then(
      (offsets) => {
        outcome = `acknowledged ${offsets.length}`;
      },
      (error: Error) => {
        outcome = `failed: ${error.message}`;
      },
    );
    await sleep(6000);
    process.kill(pid, 'SIGCONT');
    await during;
    expect(outcome).toBe('acknowledged 48');

    // And the producer goes on working.
    expect(await producer.send(batch('after'))).toHaveLength(48);
    await producer.stop();
    const afterPause = await admin.describeTopics([topic]);
    expect(afterPause[0]?.partitions.every((p) => p.leader > 0)).toBe(true);
    await admin.stop();
  });
});

function count(values: number[], value: number): number {
  return values.filter((v) => v === value).length;
}
