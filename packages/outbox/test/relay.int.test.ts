import { createPool, type Pool } from '@kafka-poc/db';
import { createAdmin, createProducer, type KafkaAdmin, type KafkaProducer } from '@kafka-poc/kafka';
import { settlesWithin } from '@kafka-poc/resilience';
import {
  createTestDatabase,
  createTestTopic,
  testKafkaBrokers,
  uniqueName,
  waitFor,
} from '@kafka-poc/testing';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboxRelay } from '../src/index.ts';
import { outboxNotifyTriggerSql } from '../src/tables.ts';

// The relay against a real Postgres and broker: every committed row published once and marked,
// in id order per partition, across full and partial batches and rows that commit out of id order.

const table = 'test_outbox';
let databaseUrl: string;
let pool: Pool;
let producer: KafkaProducer;
let admin: KafkaAdmin;
let relay: OutboxRelay | undefined;

beforeEach(async () => {
  databaseUrl = await createTestDatabase('relay');
  pool = createPool(
    {
      url: databaseUrl,
      max: 5,
      connectionTimeoutMs: 2000,
      statementTimeoutMs: 10_000,
      applicationName: 'relay-test',
    },
    () => undefined,
  );
  await pool.query(`CREATE TABLE ${table} (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, topic text NOT NULL, key text, value text NOT NULL,
    headers jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz)`);
  for (const statement of outboxNotifyTriggerSql(table).split('--> statement-breakpoint')) {
    await pool.query(statement);
  }
  const connection = { brokers: testKafkaBrokers(), clientId: uniqueName('relay-test') };
  producer = createProducer(connection);
  await producer.start();
  admin = createAdmin(connection);
  await admin.start();
});

afterEach(async () => {
  await relay?.stop();
  relay = undefined;
  await producer.stop();
  await admin.stop();
  await pool.end();
});

function startRelay(options: { batchSize?: number; lingerMs?: number } = {}): OutboxRelay {
  relay = new OutboxRelay({ pool, databaseUrl, producer, table, pollIntervalMs: 200, ...options });
  relay.start();
  return relay;
}

async function insertRows(client: pg.ClientBase | Pool, topic: string, values: string[]): Promise<void> {
  await client.query(
    `INSERT INTO ${table} (topic, key, value, headers)
     SELECT $1, 'k-' || (v::jsonb ->> 'n'), v, '{"event-type":"test"}' FROM unnest($2::text[]) AS v`,
    [topic, values],
  );
}

async function unsent(): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE sent_at IS NULL`,
  );
  return rows[0]?.n ?? -1;
}

async function readAll(topic: string, partitions: number): Promise<{ n: number; partition: number }[]> {
  const read: { n: number; partition: number }[] = [];
  for (let partition = 0; partition < partitions; partition++) {
    const messages = await admin.readMessages(topic, { partition, limit: 10_000 });
    for (const m of messages) read.push({ n: JSON.parse(m.value.toString()).n, partition });
  }
  return read;
}

describe('OutboxRelay', () => {
  it('publishes every row once, in id order per partition, over full and partial batches', async () => {
    const topic = await createTestTopic('relay', { partitions: 3 });
    const values = Array.from({ length: 1234 }, (_, n) => JSON.stringify({ n }));
    await insertRows(pool, topic, values);
    startRelay({ batchSize: 500, lingerMs: 5 });
    await waitFor(async () => (await unsent()) === 0, { timeoutMs: 20_000, message: 'all rows marked sent' });

    // More rows while it runs, in several small transactions (NOTIFY wakes the relay for each).
    for (let i = 0; i < 10; i++) {
      await insertRows(pool, topic, [JSON.stringify({ n: 1234 + i })]);
    }
    await waitFor(async () => (await unsent()) === 0, {
      timeoutMs: 20_000,
      message: 'later rows marked sent',
    });

    const read = await readAll(topic, 3);
    const numbers = read.map((r) => r.n).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 1244 }, (_, n) => n));
    // Rows were inserted in n order, so ids follow n: each partition must see increasing n.
    for (let partition = 0; partition < 3; partition++) {
      const seen = read.filter((r) => r.partition === partition).map((r) => r.n);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    }
  });

  it('stops while another writer keeps filling the outbox, after publishing what was there before', async () => {
    const topic = await createTestTopic('relay-stop', { partitions: 1 });
    const running = startRelay({ lingerMs: 5 });
    await waitFor(() => running.state === 'active', { message: 'relay active' });
    // Another instance's intake, faster than one relay: the outbox is never empty.
    let writing = true;
    let n = 0;
    const writer = (async () => {
      while (writing) {
        await insertRows(
          pool,
          topic,
          Array.from({ length: 20 }, () => JSON.stringify({ n: n++ })),
        );
      }
    })();
    await waitFor(async () => (await readAll(topic, 1)).length > 100, { message: 'publishing' });
    const { rows } = await pool.query<{ id: string }>(`SELECT max(id)::text AS id FROM ${table}`);
    const stopped = await settlesWithin(running.stop(), 20_000);
    const stillWriting = writing;
    writing = false;
    await writer;
    relay = undefined;
    expect(stopped, 'stop() returned while rows kept coming').toBe(true);
    expect(stillWriting).toBe(true);
    const left = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE sent_at IS NULL AND id <= $1`,
      [rows[0]?.id],
    );
    expect(left.rows[0]?.n).toBe(0);
  });

  it('publishes a row whose transaction commits after rows with higher ids were published', async () => {
    const topic = await createTestTopic('relay-gap', { partitions: 1 });
    startRelay({ lingerMs: 0 });
    const slow = new pg.Client({ connectionString: databaseUrl });
    await slow.connect();
    try {
      await slow.query('BEGIN');
      await insertRows(slow, topic, [JSON.stringify({ n: 0 })]); // takes the lower id, not yet visible
      await insertRows(pool, topic, [JSON.stringify({ n: 1 })]);
      await waitFor(async () => (await readAll(topic, 1)).length === 1, {
        message: 'the later row published',
      });
      await slow.query('COMMIT');
    } finally {
      await slow.end();
    }
    await waitFor(async () => (await unsent()) === 0, { message: 'the late row marked sent' });
    expect((await readAll(topic, 1)).map((r) => r.n)).toEqual([1, 0]);
  });
});
