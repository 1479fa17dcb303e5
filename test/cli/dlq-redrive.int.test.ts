import {
  createAdmin,
  createProducer,
  type IncomingMessage,
  type KafkaAdmin,
  type KafkaProducer,
} from '@kafka-poc/kafka';
import { publishDeadLetters } from '@kafka-poc/outbox';
import { createTestTopic, testKafkaBrokers, uniqueName } from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliInProcess } from '../support/cli.ts';

// `npm run cli -- dlq redrive` against the real broker: it says how many letters it redrove, how
// many it left unread and why, and where it stopped in each partition.

const brokers = testKafkaBrokers().join(',');
const cli = (...args: string[]) => runCliInProcess(args, { KAFKA_BROKERS: brokers });
let admin: KafkaAdmin;
let producer: KafkaProducer;
let topic: string;
let dlt: string;

beforeAll(async () => {
  const connection = { brokers: testKafkaBrokers(), clientId: uniqueName('dlq_cli') };
  admin = createAdmin(connection);
  producer = createProducer(connection);
  await Promise.all([admin.start(), producer.start()]);
  topic = await createTestTopic('dlq_cli', { partitions: 3 });
  dlt = `${topic}.DLT`;
  await admin.ensureTopics([{ name: dlt, partitions: 3, replicationFactor: 1 }]);
  // Seven letters, one at a time, so the oldest are the first ones.
  for (let i = 0; i < 7; i++) {
    const message: IncomingMessage = {
      topic,
      partition: 0,
      offset: BigInt(i),
      key: `key-${i}`,
      value: Buffer.from(`letter-${i}`),
      headers: {},
      timestamp: Date.now(),
    };
    await publishDeadLetters(producer, 'g', [{ message, error: 'schema violation', attempts: 1 }]);
  }
});

afterAll(async () => {
  await Promise.all([producer?.stop(), admin?.stop()]);
});

async function values(name: string): Promise<string[]> {
  const [description] = await admin.describeTopics([name]);
  const parts = await Promise.all(
    (description?.partitions ?? []).map((p) =>
      admin.readMessages(name, { partition: p.partition, limit: 100 }),
    ),
  );
  return parts
    .flat()
    .map((m) => m.value.toString())
    .sort();
}

describe('dlq redrive', () => {
  it('reports what it redrove, what it left and why, and where it stopped', async () => {
    const limited = await cli('dlq', 'redrive', topic, '--all', '--limit', '3');
    expect(limited.code, limited.stderr).toBe(0);
    expect(limited.stdout).toMatch(/PARTITION\s+LETTERS\s+REDRIVEN\s+STOPPED AT\s+LEFT/);
    expect(limited.stdout).toContain(`redriven 3 letter(s) from ${dlt} to ${topic}`);
    expect(limited.stdout).toContain(`left unread: 4 (4 beyond --limit 3); they stay in ${dlt}`);
    expect(await values(topic)).toEqual(['letter-0', 'letter-1', 'letter-2']);
    // Per partition: letters, redriven, stopped at, left — summing to 7, 3 and 4.
    const rows = [...limited.stdout.matchAll(/^(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/gm)].map((m) =>
      m.slice(1).map(Number),
    );
    expect(rows).toHaveLength(3);
    const total = (column: number) => rows.reduce((sum, row) => sum + (row[column] ?? 0), 0);
    expect([total(1), total(2), total(4)]).toEqual([7, 3, 4]);

    const ambiguous = await cli('dlq', 'redrive', topic, '--offset', '0');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(`--partition is required, ${dlt} has 3 partitions`);

    const [last] = (await admin.readMessages(dlt, { partition: 0, limit: 100 })).slice(-1);
    if (!last) throw new Error('no letter in partition 0');
    const one = await cli('dlq', 'redrive', dlt, '--offset', String(last.offset), '--partition', '0');
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain(`redriven 1 letter(s) from ${dlt} to ${topic}`);
    expect(one.stdout).toContain('left unread: 6 (6 not selected by --offset)');

    const missing = await cli('dlq', 'redrive', topic, '--offset', '99', '--partition', '0');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no dead letter at ${dlt}:0:99; nothing redriven`);

    const all = await cli('dlq', 'redrive', topic, '--all', '--json');
    expect(all.code, all.stderr).toBe(0);
    const report = JSON.parse(all.stdout);
    expect(report).toMatchObject({ topic: dlt, redriven: 7, leftBehind: 0, arrived: 0, targets: [topic] });
    expect(report.partitions.every((p: { next: string; end: string }) => p.next === p.end)).toBe(true);
    expect((await values(topic)).length).toBe(3 + 1 + 7);
  });

  it('an unknown topic exits 2 naming it (as a real `npm run cli` process)', async () => {
    const unknown = uniqueName('nope');
    const result = await runCli(['dlq', 'redrive', unknown, '--all'], brokers);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Unknown topic(s): ${unknown}.DLT`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
