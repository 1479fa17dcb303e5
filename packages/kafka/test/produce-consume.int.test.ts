import { uniqueName, waitFor } from '@kafka-poc/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaError } from '../src/index.ts';
import { Clients, newTopic, recordingHandler, values } from './support.ts';

const clients = new Clients();
afterEach(() => clients.stopAll());

describe('produce → consume', () => {
  it('round-trips key, value, headers and offsets', async () => {
    const admin = await clients.admin();
    const topic = await newTopic(admin, 3);
    const producer = await clients.producer();
    const produced = await producer.send([
      {
        topic,
        key: 'order-1',
        value: '{"n":1}',
        headers: { 'event-type': 'OrderPlaced', traceparent: '00-abc' },
      },
      { topic, key: 'order-1', value: Buffer.from([0xde, 0xad]) },
      { topic, value: 'no key' },
    ]);
    // Java's partitioner puts "order-1" on partition 1 of 3 (see partitioner.test.ts).
    expect(produced.slice(0, 2)).toEqual([
      { topic, partition: 1, offset: 0n },
      { topic, partition: 1, offset: 1n },
    ]);

    const { handler, handled } = recordingHandler();
    await clients.runner({ groupId: uniqueName('g'), topics: [topic], handler });
    await waitFor(() => handled.length === 3, { message: '3 messages consumed' });

    const first = handled.find((m) => m.offset === 0n && m.partition === 1);
    expect(first).toMatchObject({
      topic,
      key: 'order-1',
      headers: { 'event-type': 'OrderPlaced', traceparent: '00-abc' },
    });
    expect(first?.value.toString()).toBe('{"n":1}');
    expect(first?.timestamp).toBeGreaterThan(Date.now() - 60_000);
    expect(handled.find((m) => m.offset === 1n && m.partition === 1)?.value).toEqual(
      Buffer.from([0xde, 0xad]),
    );
    const keyless = handled.find((m) => m.value.toString() === 'no key');
    expect(keyless?.key).toBeUndefined();
    expect(keyless?.headers).toEqual({});
    expect(produced[2]).toEqual({ topic, partition: keyless?.partition, offset: keyless?.offset });
  });

  it('coalesces concurrent sends but resolves each with its own offsets, keeping call order per key', async () => {
    const admin = await clients.admin();
    const topic = await newTopic(admin, 1);
    const producer = await clients.producer({ lingerMs: 20 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => producer.send([{ topic, key: 'same', value: `v${i}` }])),
    );
    const offsets = results.map((r) => r[0]?.offset);
    expect(offsets).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i)));
    const read = await admin.readMessages(topic, { partition: 0, limit: 100 });
    expect(values(read)).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`));
  });

  it('fails only the send to an unknown topic, not the sends coalesced with it', async () => {
    const admin = await clients.admin();
    const topic = await newTopic(admin, 1);
    const producer = await clients.producer({ lingerMs: 20 });
    const [bad, good] = await Promise.allSettled([
      producer.send([{ topic: uniqueName('missing'), value: 'x' }]),
      producer.send([{ topic, value: 'y' }]),
    ]);
    expect(bad.status).toBe('rejected');
    const error = (bad as PromiseRejectedResult).reason as KafkaError;
    expect(error).toBeInstanceOf(KafkaError);
    expect(error.code).toBe('KAFKA_PRODUCE_FAILED');
    expect(error.retryable).toBe(false);
    expect(good).toEqual({ status: 'fulfilled', value: [{ topic, partition: 0, offset: 0n }] });
  });

  it('refuses to start a runner on a topic that does not exist', async () => {
    const error = await clients
      .runner({ groupId: uniqueName('g'), topics: [uniqueName('missing')], handler: async () => {} })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(KafkaError);
    expect((error as KafkaError).code).toBe('TOPIC_NOT_FOUND');
  });
});
