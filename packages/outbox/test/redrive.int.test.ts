import {
  createAdmin,
  createProducer,
  type IncomingMessage,
  type KafkaAdmin,
  type KafkaProducer,
} from '@kafka-poc/kafka';
import { createTestTopic, testKafkaBrokers, uniqueName } from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishDeadLetters, RedriveError, redriveAll, redriveOne } from '../src/index.ts';

// The shared redrive (CLI and console) against the real broker: the oldest letters first, pages
// acknowledged before the next is read, and a report that counts what was left and why.

let admin: KafkaAdmin;
let producer: KafkaProducer;

beforeAll(async () => {
  const connection = { brokers: testKafkaBrokers(), clientId: uniqueName('redrive') };
  admin = createAdmin(connection);
  producer = createProducer(connection);
  await Promise.all([admin.start(), producer.start()]);
});

afterAll(async () => {
  await Promise.all([producer?.stop(), admin?.stop()]);
});

/** An original topic and its dead-letter topic holding `count` letters, published one by one (oldest first). */
async function deadLetters(count: number, partitions = 3): Promise<{ topic: string; dlt: string }> {
  const topic = await createTestTopic('redrive', { partitions });
  const dlt = `${topic}.DLT`;
  await admin.ensureTopics([{ name: dlt, partitions, replicationFactor: 1 }]);
  for (let i = 0; i < count; i++) await publishDeadLetters(producer, 'g', [letter(topic, i)]);
  return { topic, dlt };
}

function letter(topic: string, i: number) {
  const message: IncomingMessage = {
    topic,
    partition: i % 3,
    offset: BigInt(i),
    key: `key-${i}`,
    value: Buffer.from(`letter-${i}`),
    headers: { 'event-id': `e${i}` },
    timestamp: Date.now(),
  };
  return { message, error: 'schema violation', attempts: 1 };
}

async function readAll(topic: string): Promise<IncomingMessage[]> {
  const [description] = await admin.describeTopics([topic]);
  const parts = await Promise.all(
    (description?.partitions ?? []).map((p) =>
      admin.readMessages(topic, { partition: p.partition, limit: 1000 }),
    ),
  );
  return parts.flat();
}

describe('redriveAll', () => {
  it('redrives every letter present at the start, in pages, and counts letters that arrived meanwhile', async () => {
    const { topic, dlt } = await deadLetters(7);
    let sends = 0;
    // A letter arrives while the run goes on (after its first page).
    const arriving: KafkaProducer = {
      start: () => producer.start(),
      stop: () => producer.stop(),
      send: async (messages) => {
        if (sends++ === 0) await publishDeadLetters(producer, 'g', [letter(topic, 99)]);
        return producer.send(messages);
      },
    };
    const report = await redriveAll(admin, arriving, dlt, { pageSize: 2 });
    expect(sends).toBe(4);
    expect(report).toMatchObject({ topic: dlt, redriven: 7, targets: [topic], leftBehind: 0, arrived: 1 });
    expect(report.partitions.every((p) => p.next === p.end)).toBe(true);
    const redriven = await readAll(topic);
    expect(redriven.map((m) => m.value.toString()).sort()).toEqual(
      Array.from({ length: 7 }, (_, i) => `letter-${i}`).sort(),
    );
    expect(redriven.every((m) => m.headers['dlq-redriven-from']?.startsWith(`${dlt}:`))).toBe(true);
    expect(redriven.some((m) => 'dlq-error' in m.headers)).toBe(false);
  });

  it('with a limit, takes the oldest letters across partitions and says where it stopped', async () => {
    const { topic, dlt } = await deadLetters(7);
    const report = await redriveAll(admin, producer, topic, { limit: 3, pageSize: 2 });
    expect(report).toMatchObject({ redriven: 3, leftBehind: 4, arrived: 0 });
    expect((await readAll(topic)).map((m) => m.value.toString()).sort()).toEqual([
      'letter-0',
      'letter-1',
      'letter-2',
    ]);
    const letters = await readAll(dlt);
    for (const p of report.partitions) {
      const mine = letters
        .filter((m) => m.partition === p.partition)
        .sort((a, b) => Number(a.offset - b.offset));
      const redriven = mine.filter((m) => ['letter-0', 'letter-1', 'letter-2'].includes(m.value.toString()));
      // Per partition, the redriven letters are the first ones and `next` is the first one left.
      expect(p.redriven).toBe(redriven.length);
      expect(p.next).toBe(mine[redriven.length]?.offset ?? p.end);
    }
  });

  it('refuses before sending anything when the original topic does not exist', async () => {
    const { dlt } = await deadLetters(0);
    await producer.send([{ topic: dlt, value: 'x', headers: { 'dlq-original-topic': uniqueName('gone') } }]);
    await expect(redriveAll(admin, producer, dlt)).rejects.toSatisfy(
      (e) => e instanceof RedriveError && e.code === 'ORIGINAL_TOPIC_MISSING',
    );
  });
});

describe('redriveOne', () => {
  it('redrives the letter at partition:offset and counts the others as left', async () => {
    const { topic, dlt } = await deadLetters(4);
    const [target] = (await readAll(dlt)).filter((m) => m.value.toString() === 'letter-2');
    if (!target) throw new Error('letter-2 not found');
    const report = await redriveOne(admin, producer, dlt, {
      partition: target.partition,
      offset: target.offset,
    });
    expect(report).toMatchObject({ redriven: 1, leftBehind: 3, arrived: 0, targets: [topic] });
    expect((await readAll(topic)).map((m) => m.value.toString())).toEqual(['letter-2']);
    await expect(redriveOne(admin, producer, dlt, { partition: 0, offset: 99n })).rejects.toSatisfy(
      (e) => e instanceof RedriveError && e.code === 'DEAD_LETTER_NOT_FOUND',
    );
  });
});
