import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KafkaCluster, startKafka } from '@kafka-poc/local-stack';
import { uniqueName, waitFor } from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createConsumerRunner,
  createProducer,
  type KafkaConnectionConfig,
} from '../src/index.ts';

// The shared test broker must not be restarted under other test files: this file starts its own.
let cluster: KafkaCluster;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kafka-restart-test-'));
  cluster = await startKafka({ dataDir, ports: 'random', heapMb: 384 });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a broker restart', () => {
  it('is ridden out by the producer and the runner: every message is consumed', {
    timeout: 150_000,
  }, async () => {
    const connection: KafkaConnectionConfig = {
      brokers: cluster.bootstrapServers.split(','),
      clientId: uniqueName('restart'),
    };
    const admin = createAdmin(connection);
    await admin.start();
    const topic = uniqueName('restart');
    await admin.ensureTopics([{ name: topic, partitions: 3, replicationFactor: 1 }]);
    await admin.stop();

    const producer = createProducer(connection);
    await producer.start();
    const consumed = new Set<string>();
    const errors: unknown[] = [];
    const runner = createConsumerRunner({
      connection,
      groupId: uniqueName('g'),
      topics: [topic],
      handler: async (batch) => {
        for (const m of batch) consumed.add(m.value.toString());
      },
      onError: (error) => errors.push(error),
    });
    await runner.start();
    await waitFor(() => runner.assignments().length === 3, { message: 'assignment', timeoutMs: 20_000 });

    const sent: string[] = [];
    const sentAt: number[] = [];
    let producing = true;
    const producerLoop = (async () => {
      for (let i = 0; producing; i++) {
        await producer.send([{ topic, key: `k${i % 13}`, value: `v${i}` }]);
        sent.push(`v${i}`);
        sentAt.push(Date.now());
        await sleep(10);
      }
    })();
    await waitFor(() => consumed.size >= 20, { message: 'consuming before the restart', timeoutMs: 20_000 });

    // Long enough for the library's own fetch retries to give up, so the runner must replace the stream.
    await cluster.stopNode(1);
    await sleep(10_000);
    await cluster.startNode(1);
    const sentBeforeRecovery = sent.length;
    await waitFor(() => sent.length > sentBeforeRecovery + 20, {
      message: 'producing again',
      timeoutMs: 60_000,
    });
    producing = false;
    await producerLoop;

    await waitFor(() => sent.every((v) => consumed.has(v)), {
      message: `all ${sent.length} sent messages consumed`,
      timeoutMs: 60_000,
    });
    expect(runner.isJoined()).toBe(true);
    // The outage was real: one send waited for the broker to come back (and none failed).
    const longestWait = Math.max(...sentAt.slice(1).map((t, i) => t - (sentAt[i] ?? t)));
    expect(longestWait, `errors reported: ${errors.map(String).join(' | ')}`).toBeGreaterThan(8_000);
    await runner.stop();
    await producer.stop();
  });
});
