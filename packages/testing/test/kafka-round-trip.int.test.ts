import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { testKafkaBrokers, uniqueName, waitFor } from '../src/index.ts';

describe('harness broker', () => {
  it('round-trips records through a topic with a KIP-848 consumer group', async () => {
    const bootstrapBrokers = testKafkaBrokers();
    const topic = uniqueName('round_trip');
    const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers });
    const producer = new Producer({
      clientId: 'test-producer',
      bootstrapBrokers,
      serializers: stringSerializers,
    });
    const consumer = new Consumer({
      clientId: 'test-consumer',
      groupId: uniqueName('group'),
      groupProtocol: 'consumer',
      bootstrapBrokers,
      deserializers: stringDeserializers,
    });
    try {
      await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });
      const sent = ['a', 'b', 'c', 'd', 'e'].map((key) => ({ topic, key, value: `value-${key}` }));
      await producer.send({ messages: sent });

      // 'committed' + fallback 'earliest': mode 'earliest' alone re-reads from the start on every assignment change.
      const stream = await consumer.consume({
        topics: [topic],
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: true,
      });
      const received: { key: string; value: string }[] = [];
      stream.on('data', (message) => received.push({ key: message.key, value: message.value }));
      await waitFor(() => received.length >= sent.length, {
        timeoutMs: 30_000,
        message: 'all 5 records consumed',
      });
      await stream.close();

      expect(received.map((r) => r.key).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(received.find((r) => r.key === 'c')?.value).toBe('value-c');
    } finally {
      await Promise.allSettled([consumer.close(true), producer.close(), admin.close()]);
    }
  });
});
