import { deadLetterTopic } from '@kafka-poc/contracts';
import { createAdmin, type KafkaAdmin } from '@kafka-poc/kafka';
import { testKafkaBrokers, waitFor } from '@kafka-poc/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { checkInvariants, readFacts } from '../support/invariants.ts';
import { TestPipeline } from '../support/pipeline.ts';
import { metricSum } from '../support/prometheus.ts';

// Gray failures inside the database while orders flow: a row lock held far past the statement
// timeout, a deadlock, a table renamed under the consumer, environmental SQLSTATEs raised by a
// trigger. Each is retried until it passes: every order ends final, nothing is dead-lettered.

const STATEMENT_TIMEOUT_MS = 2500;
const SEED = new Map([
  ['Laptop', 500],
  ['Phone', 500],
  ['Monitor', 500],
]);

let pipeline: TestPipeline;
let admin: KafkaAdmin;
let session: pg.Client;
const accepted: string[] = [];

beforeAll(async () => {
  pipeline = await TestPipeline.create({
    seed: [...SEED].map(([item, stock]) => `${item}=${stock}`).join(','),
    env: { DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) },
  });
  await pipeline.startAll();
  admin = createAdmin({ brokers: testKafkaBrokers(), clientId: 'gray-failures-test' });
  await admin.start();
  session = new pg.Client({ connectionString: pipeline.env.DATABASE_URL });
  await session.connect();
});

afterAll(async () => {
  await session?.end();
  await admin?.stop();
  await pipeline?.stop();
});

async function placeOrders(count: number, items: string[]): Promise<string[]> {
  const ids = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const { status, body } = await request('POST', `${pipeline.url('order')}/orders`, {
        item: items[i % items.length],
        quantity: 1,
      });
      expect(status).toBe(201);
      return body.id as string;
    }),
  );
  accepted.push(...ids);
  return ids;
}

async function waitUntilFinal(ids: string[], timeoutMs = 60_000): Promise<void> {
  const wanted = new Set(ids);
  await waitFor(() => readFacts(pipeline.env.DATABASE_URL ?? ''), {
    until: (facts) =>
      facts.orders.filter((o) => wanted.has(o.id) && o.status !== 'PENDING').length === wanted.size &&
      facts.notifications.filter((n) => wanted.has(n.order_id)).length === wanted.size,
    timeoutMs,
    intervalMs: 250,
    message: `${ids.length} orders final and notified`,
  });
}

async function deadLetters(): Promise<number> {
  const topics = await admin.describeTopics([
    deadLetterTopic(pipeline.topics.orderEvents),
    deadLetterTopic(pipeline.topics.inventoryEvents),
  ]);
  let letters = 0n;
  for (const t of topics) for (const p of t.partitions) letters += p.latestOffset - p.earliestOffset;
  return Number(letters);
}

const retries = (kind: 'order' | 'inventory' | 'notification', labels: Record<string, string> = {}) =>
  metricSum(pipeline.url(kind), 'consumer_batch_retries_total', labels);

describe('a stock row locked far past the statement timeout', () => {
  it('retries the orders for that item until the lock goes, and dead-letters nothing', async () => {
    const before = await retries('inventory');
    await session.query('BEGIN');
    await session.query(`SELECT stock FROM inventory WHERE item = 'Laptop' FOR UPDATE`);
    let released = false;
    try {
      const ids = await placeOrders(12, ['Laptop', 'Phone', 'Laptop']);
      // At least three statement timeouts in a row: the old handler gave up after three.
      await waitFor(() => retries('inventory'), {
        until: (n) => n >= before + 3,
        timeoutMs: 60_000,
        intervalMs: 250,
        message: 'inventory consumer retrying',
      });
      expect(await metricSum(pipeline.url('inventory'), 'consumer_batch_retrying_seconds')).toBeGreaterThan(
        STATEMENT_TIMEOUT_MS / 1000,
      );
      const waiting = await readFacts(pipeline.env.DATABASE_URL ?? '');
      const laptops = waiting.orders.filter((o) => ids.includes(o.id) && o.item === 'Laptop');
      expect(laptops.every((o) => o.status === 'PENDING')).toBe(true);
      await session.query('COMMIT');
      released = true;
      await waitUntilFinal(ids);
    } finally {
      if (!released) await session.query('ROLLBACK');
    }
    expect(await deadLetters()).toBe(0);
    expect(
      await retries('inventory', { reason: 'environment' }),
      'counted as an environmental retry',
    ).toBeGreaterThanOrEqual(3);
    // Recovered: the gauge goes back to 0 once a batch succeeds.
    await waitFor(() => metricSum(pipeline.url('inventory'), 'consumer_batch_retrying_seconds'), {
      until: (s) => s === 0,
      message: 'retrying gauge back to 0',
    });
  });
});

describe('afterwards', () => {
  it('every accepted order is final with one decision and one notification, and stock adds up', async () => {
    await waitUntilFinal(accepted);
    expect(checkInvariants(await readFacts(pipeline.env.DATABASE_URL ?? ''), SEED, accepted)).toEqual([]);
    expect(await deadLetters()).toBe(0);
  });
});
