import { Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { createTestTopic, testKafkaBrokers, uniqueName, waitFor } from '../src/index.ts';

describe('harness broker', () => {
  it('round-trips records through a topic with a KIP-848 consumer group', async () => {
    const bootstrapBrokers = testKafkaBrokers();
    const topic = await createTestTopic('round_trip', { partitions: 3 });
    const producer = new Producer({
      clientId: 'test-producer',
      bootstrapBrokers,
      serializers: stringSerializers,
      idempotent: true,
    });
    const consumer = new Consumer({
      clientId: 'test-consumer',
      groupId: uniqueName('group'),
      groupProtocol: 'consumer',
      bootstrapBrokers,
      deserializers: stringDeserializers,
    });
    try {
      const sent = ['a', 'b', 'c', 'd', 'e'].map((key) => ({ topic, key, value: `value-${key}` }));
      await producer.send({ messages: sent });

      // Committed offsets, or the beginning for a new group: what the services do.
      const stream = await consumer.consume({
        topics: [topic],
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: true,
      });
      const received = new Map<string, string>();
      stream.on('data', (message) => received.set(message.key, message.value));
      await waitFor(() => received.size >= sent.length, {
        timeoutMs: 30_000,
        message: 'all 5 keys consumed',
      });
      await stream.close();

      // At-least-once is what Kafka promises the services; they must tolerate a duplicate, so we do too.
      expect([...received.keys()].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(received.get('c')).toBe('value-c');
    } finally {
      await Promise.allSettled([consumer.close(true), producer.close()]);
    }
  });
});
