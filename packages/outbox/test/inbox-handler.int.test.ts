import {
  deadLetterTopic,
  decodeEvent,
  HEADERS,
  newEnvelope,
  type OrderEvent,
  orderEvent,
} from '@kafka-poc/contracts';
import { createDatabase, createPool, type Database, type Pool, sqlState } from '@kafka-poc/db';
import {
  type BatchHandler,
  createAdmin,
  createConsumerRunner,
  createProducer,
  type IncomingMessage,
  type KafkaAdmin,
  type KafkaProducer,
} from '@kafka-poc/kafka';
import {
  createTestDatabase,
  createTestTopic,
  testKafkaBrokers,
  uniqueName,
  waitFor,
} from '@kafka-poc/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ConsumedEvent, createInboxBatchHandler, defineInboxTable, InboxError } from '../src/index.ts';

// The idempotent consumer against Postgres and the broker: what is retried, what is dead-lettered
// (read back from the real dead-letter topic), and events of a "future" producer.

const inbox = defineInboxTable('test_inbox');
let databaseUrl: string;
let pool: Pool;
let db: Database;
let producer: KafkaProducer;
let admin: KafkaAdmin;
let topic: string;

beforeAll(async () => {
  databaseUrl = await createTestDatabase('inbox');
  pool = createPool(
    {
      url: databaseUrl,
      max: 4,
      connectionTimeoutMs: 5000,
      statementTimeoutMs: 10_000,
      applicationName: 'inbox-test',
    },
    () => undefined,
  );
  db = createDatabase(pool);
  await pool.query(`CREATE TABLE test_inbox (event_id uuid PRIMARY KEY, event_type text NOT NULL,
    topic text NOT NULL, partition int NOT NULL, "offset" bigint NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now())`);
  // The effect: one row per order; quantity 13 breaks a rule no retry can pass.
  await pool.query(`CREATE TABLE effects (order_id uuid PRIMARY KEY, item text NOT NULL,
    quantity int NOT NULL CONSTRAINT unlucky CHECK (quantity <> 13))`);
  const connection = { brokers: testKafkaBrokers(), clientId: uniqueName('inbox-test') };
  producer = createProducer(connection);
  admin = createAdmin(connection);
  await Promise.all([producer.start(), admin.start()]);
});

afterAll(async () => {
  await producer?.stop();
  await admin?.stop();
  await pool?.end();
});

beforeEach(async () => {
  topic = await createTestTopic('inbox', { partitions: 1 });
  await admin.ensureTopics([{ name: deadLetterTopic(topic), partitions: 1, replicationFactor: 1 }]);
});

async function applyEffects(
  tx: Parameters<Parameters<Database['transaction']>[0]>[0],
  events: ConsumedEvent<OrderEvent>[],
) {
  if (events.length === 0) return;
  const p = events.map((e) => e.event.payload);
  await tx.execute(sql`INSERT INTO effects (order_id, item, quantity)
    SELECT * FROM unnest(${sql.param(p.map((x) => x.orderId))}::uuid[], ${sql.param(p.map((x) => x.item))}::text[],
      ${sql.param(p.map((x) => x.quantity))}::int[])`);
}

type Decode = (value: Buffer) => ReturnType<typeof decodeEvent<typeof orderEvent>>;

function handler(decode: Decode = (v) => decodeEvent(orderEvent, v), database: Database = db): BatchHandler {
  return createInboxBatchHandler<OrderEvent>({
    db: database,
    producer,
    groupId: 'inbox-test',
    inbox,
    decode,
    apply: applyEffects,
  });
}

function orderCreated(quantity = 1, orderId: string = crypto.randomUUID()) {
  return newEnvelope('order.created', 'test', {
    orderId,
    item: 'Laptop',
    quantity,
    status: 'PENDING' as const,
  });
}

let nextOffset = 0n;
function message(value: unknown, key = crypto.randomUUID()): IncomingMessage {
  nextOffset += 1n;
  return {
    topic,
    partition: 0,
    offset: nextOffset,
    key,
    value: Buffer.from(JSON.stringify(value)),
    headers: {},
    timestamp: Date.now(),
  };
}

/** Calls the handler as the runner would, attempt after attempt; the error of each failed attempt. */
async function attempts(handle: BatchHandler, batch: IncomingMessage[], count: number): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (let attempt = 1; attempt <= count; attempt++) {
    try {
      await handle(batch, { attempt, signal: new AbortController().signal });
      errors.push(undefined);
    } catch (error) {
      errors.push(error);
    }
  }
  return errors;
}

async function deadLetters(): Promise<IncomingMessage[]> {
  return admin.readMessages(deadLetterTopic(topic), { partition: 0, limit: 100, timeoutMs: 2000 });
}

async function applied(orderIds: string[]): Promise<number> {
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM effects WHERE order_id = ANY($1)', [
    orderIds,
  ]);
  return rows[0].n;
}

describe('poison beside good events', () => {
  it('applies the good ones and dead-letters the one that fails by itself, once', async () => {
    const events = [orderCreated(1), orderCreated(13), orderCreated(2)];
    const batch = events.map((e) => message(e));
    const errors = await attempts(handler(), batch, 3);
    expect(errors.map((e) => e === undefined)).toEqual([false, false, true]);
    expect(await applied(events.map((e) => e.payload.orderId))).toBe(2);
    const letters = await deadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]?.value.toString()).toBe(batch[1]?.value.toString());
    expect(letters[0]?.headers[HEADERS.dlqError]).toMatch(/unlucky.*SQLSTATE 23514/);
    expect(letters[0]?.headers[HEADERS.dlqAttempts]).toBe('3');
    expect(letters[0]?.headers[HEADERS.dlqOriginalOffset]).toBe(String(batch[1]?.offset));
  });
});

describe('failures of the environment', () => {
  it('retries a batch whose every event fails on a missing table, and never splits it into dead letters', async () => {
    const events = [orderCreated(1), orderCreated(2), orderCreated(3)];
    const batch = events.map((e) => message(e));
    const handle = handler();
    await pool.query('ALTER TABLE effects RENAME TO effects_next');
    let errors: unknown[];
    try {
      errors = await attempts(handle, batch, 6);
    } finally {
      await pool.query('ALTER TABLE effects_next RENAME TO effects');
    }
    expect(errors.every((e) => e !== undefined)).toBe(true);
    expect(errors.map((e) => sqlState(e))).toEqual(Array(6).fill('42P01'));
    expect(await deadLetters()).toEqual([]);
    // The table is back: the same batch goes through, every event applied.
    expect(await attempts(handle, batch, 1)).toEqual([undefined]);
    expect(await applied(events.map((e) => e.payload.orderId))).toBe(3);
  });

  it('retries statement timeouts behind a lock held by another session', async () => {
    const impatient = createPool(
      {
        url: databaseUrl,
        max: 2,
        connectionTimeoutMs: 5000,
        statementTimeoutMs: 300,
        applicationName: 'impatient',
      },
      () => undefined,
    );
    const events = [orderCreated(1), orderCreated(2)];
    const batch = events.map((e) => message(e));
    const handle = handler(undefined, createDatabase(impatient));
    const holder = await pool.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE effects IN ACCESS EXCLUSIVE MODE');
    let errors: unknown[];
    try {
      errors = await attempts(handle, batch, 5);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect(errors.map((e) => sqlState(e))).toEqual(Array(5).fill('57014'));
    expect(await deadLetters()).toEqual([]);
    expect(await attempts(handle, batch, 1)).toEqual([undefined]);
    expect(await applied(events.map((e) => e.payload.orderId))).toBe(2);
    await impatient.end();
  });

  it('retries a lone event whose unique violation may be a race, never dead-letters it', async () => {
    const orderId = crypto.randomUUID();
    await pool.query(`INSERT INTO effects VALUES ($1, 'Laptop', 1)`, [orderId]);
    const errors = await attempts(handler(), [message(orderCreated(1, orderId))], 5);
    expect(errors.map((e) => sqlState(e))).toEqual(Array(5).fill('23505'));
    expect(errors[4]).toBeInstanceOf(InboxError);
    expect(await deadLetters()).toEqual([]);
  });

  it('dead-letters a lone event whose value the database can never accept, once it answers a probe', async () => {
    const errors = await attempts(handler(), [message(orderCreated(13))], 3);
    expect(errors.map((e) => sqlState(e))).toEqual(['23514', '23514', undefined]);
    expect(await deadLetters()).toHaveLength(1);
  });
});

describe('events of a future producer', () => {
  it('reads a newer minor version with extra fields', async () => {
    const event = orderCreated(4);
    const future = { ...event, minor: 2, region: 'eu', payload: { ...event.payload, giftWrap: true } };
    expect(await attempts(handler(), [message(future)], 1)).toEqual([undefined]);
    expect(await applied([event.payload.orderId])).toBe(1);
  });

  it('parks a version-2 event: retried, never dead-lettered, nothing committed past it, until a consumer that reads it', async () => {
    const groupId = uniqueName('future');
    const before = orderCreated(1);
    const v2 = {
      ...orderCreated(),
      version: 2,
      payload: { orderId: crypto.randomUUID(), lines: [{ sku: 'Phone', units: 2 }] },
    };
    const after = orderCreated(3);
    await producer.send(
      [before, v2, after].map((e) => ({ topic, key: e.payload.orderId, value: JSON.stringify(e) })),
    );

    const parkedErrors: unknown[] = [];
    const current = createConsumerRunner({
      connection: { brokers: testKafkaBrokers(), clientId: uniqueName('current') },
      groupId,
      topics: [topic],
      handler: handler(),
      retryBackoffMs: { initialMs: 50, maxMs: 200 },
      onError: (error, info) => {
        if (info.attempt > 0) parkedErrors.push(error);
      },
    });
    await current.start();
    await waitFor(() => parkedErrors.length, {
      until: (n) => n >= 3,
      timeoutMs: 30_000,
      message: 'v2 parked',
    });
    await current.stop();
    expect(parkedErrors.every((e) => e instanceof InboxError && e.code === 'EVENT_UNSUPPORTED')).toBe(true);
    expect((parkedErrors[0] as Error).message).toMatch(/unsupported version 2 of order\.created/);
    expect(await deadLetters()).toEqual([]);
    const [lag] = await admin.groupLag(groupId, [topic]);
    expect(lag?.committedOffset ?? 0n).toBeLessThanOrEqual(1n);
    expect(await applied([after.payload.orderId])).toBe(0);

    // The upgrade: a consumer that reads version 2 (its lines become the order's item and quantity).
    const upgraded = handler((value) => {
      const json = JSON.parse(value.toString());
      if (json.version !== 2) return decodeEvent(orderEvent, value);
      const v2Event = z
        .object({
          payload: z.object({
            orderId: z.uuid(),
            lines: z.array(z.object({ sku: z.string(), units: z.int() })),
          }),
        })
        .parse(json);
      const line = v2Event.payload.lines[0];
      return decodeEvent(
        orderEvent,
        JSON.stringify({
          ...json,
          version: 1,
          payload: {
            orderId: v2Event.payload.orderId,
            item: line?.sku,
            quantity: line?.units,
            status: 'PENDING',
          },
        }),
      );
    });
    const next = createConsumerRunner({
      connection: { brokers: testKafkaBrokers(), clientId: uniqueName('upgraded') },
      groupId,
      topics: [topic],
      handler: upgraded,
    });
    await next.start();
    try {
      await waitFor(async () => (await admin.groupLag(groupId, [topic]))[0], {
        until: (p) => p?.committedOffset === 3n,
        timeoutMs: 30_000,
        message: 'the partition moved on past the v2 event',
      });
    } finally {
      await next.stop();
    }
    expect(await applied([before.payload.orderId, v2.payload.orderId, after.payload.orderId])).toBe(3);
    expect(await deadLetters()).toEqual([]);
  });
});
