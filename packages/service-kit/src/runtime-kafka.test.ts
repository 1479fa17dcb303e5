import type { KafkaAdmin } from '@kafka-poc/kafka';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { waitForKafka } from './runtime-kafka.ts';

/** Only what waitForKafka calls: start() fails while "Kafka is unreachable", then succeeds. */
function flakyAdmin(failingStarts: number) {
  const calls = { start: 0, describe: 0 };
  const admin = {
    async start() {
      calls.start++;
      if (calls.start <= failingStarts) throw new Error('Cannot reach Kafka: connect ECONNREFUSED');
    },
    async describeCluster() {
      calls.describe++;
      return { clusterId: 'c', brokers: [], controllerId: 1 };
    },
  } as unknown as KafkaAdmin;
  return { admin, calls };
}

describe('waitForKafka', () => {
  it('waits while the admin cannot start (Kafka unreachable at start-up) instead of failing', async () => {
    const { admin, calls } = flakyAdmin(2);
    const logger = createLogger({ level: 'silent', service: 'test', instance: 'test-1', pretty: false });
    await waitForKafka(admin, ['127.0.0.1:1'], new AbortController().signal, logger);
    expect(calls).toEqual({ start: 3, describe: 1 });
  });

  it('gives up when stopped', async () => {
    const { admin } = flakyAdmin(Number.POSITIVE_INFINITY);
    const logger = createLogger({ level: 'silent', service: 'test', instance: 'test-1', pretty: false });
    const controller = new AbortController();
    controller.abort();
    await expect(waitForKafka(admin, [], controller.signal, logger)).rejects.toThrow(/Cannot reach Kafka/);
  });
});
