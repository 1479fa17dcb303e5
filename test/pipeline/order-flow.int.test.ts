import { VIEWS } from '@kafka-poc/contracts';
import { waitFor } from '@kafka-poc/testing';
import { checkInvariants, readFacts } from '@kafka-poc/verification';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { TestPipeline } from '../support/pipeline.ts';

// The whole flow through the real broker and Postgres: order-service → order-events →
// inventory-service → inventory-events → notification-service and back to order-service.

const seed = 'Laptop=10,Phone=100,Monitor=3';
const initialStock = new Map([
  ['Laptop', 10],
  ['Phone', 100],
  ['Monitor', 3],
]);

let pipeline: TestPipeline;

beforeAll(async () => {
  pipeline = await TestPipeline.create({ seed });
  await pipeline.startAll();
});

afterAll(async () => {
  await pipeline?.stop();
});

async function queryRows<T extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: pipeline.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function placeOrder(item: string, quantity: number, headers: Record<string, string> = {}) {
  const response = await request('POST', `${pipeline.url('order')}/orders`, { item, quantity }, headers);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; status: string };
}

async function finalOrder(id: string) {
  return waitFor(
    async () => {
      const { body } = await request('GET', `${pipeline.url('order')}/orders/${id}`);
      return body.status === 'PENDING' ? undefined : body;
    },
    { timeoutMs: 20_000, intervalMs: 50, message: `order ${id} to reach a final status` },
  );
}

describe('order flow', () => {
  it('confirms an order in stock and notifies once', async () => {
    const created = await placeOrder('Laptop', 2);
    expect(created).toMatchObject({ item: 'Laptop', quantity: 2, status: 'PENDING' });
    const order = await finalOrder(created.id);
    expect(order).toMatchObject({ status: 'CONFIRMED', reason: null });
    const notes = await waitFor(
      async () => {
        const { body } = await request(
          'GET',
          `${pipeline.url('notification')}/notifications?orderId=${created.id}`,
        );
        return body.items.length > 0 ? body.items : undefined;
      },
      { timeoutMs: 20_000, message: 'notification' },
    );
    expect(notes).toHaveLength(1);
    expect(notes[0].message).toBe(`Order ${created.id} is CONFIRMED`);
    const stock = await request('GET', `${pipeline.url('inventory')}/inventory/Laptop`);
    expect(stock.body.stock).toBe(8);
  });

  it('rejects unknown items and orders beyond stock, with a reason', async () => {
    const unknown = await finalOrder((await placeOrder('Unicorn', 1)).id);
    expect(unknown).toMatchObject({ status: 'REJECTED', reason: 'unknown item "Unicorn"' });
    const tooMany = await finalOrder((await placeOrder('Monitor', 4)).id);
    expect(tooMany.status).toBe('REJECTED');
    expect(tooMany.reason).toMatch(/insufficient stock for "Monitor": requested 4, available 3/);
    const notes = await waitFor(
      async () => {
        const { body } = await request(
          'GET',
          `${pipeline.url('notification')}/notifications?orderId=${tooMany.id}`,
        );
        return body.items[0];
      },
      { timeoutMs: 20_000, message: 'rejection notification' },
    );
    expect(notes.message).toMatch(new RegExp(`^Order ${tooMany.id} is REJECTED: insufficient stock`));
  });

  it('processes 100 mixed orders exactly once and conserves stock', async () => {
    const items = ['Laptop', 'Phone', 'Monitor', 'Unicorn'];
    const created = await Promise.all(
      Array.from({ length: 100 }, (_, i) => placeOrder(items[i % items.length] ?? 'Phone', 1 + (i % 3))),
    );
    await waitFor(
      async () => {
        const { body } = await request('GET', `${pipeline.url('order')}/orders?status=PENDING&limit=1`);
        return body.items.length === 0;
      },
      { timeoutMs: 30_000, message: 'no PENDING orders' },
    );
    await waitFor(
      async () => (await readFacts(pipeline.env.DATABASE_URL ?? '')).notifications.length >= 102,
      {
        timeoutMs: 30_000,
        message: 'all notifications',
      },
    );
    const facts = await readFacts(pipeline.env.DATABASE_URL ?? '');
    const all = facts.orders.map((o) => o.id);
    expect(all).toEqual(expect.arrayContaining(created.map((c) => c.id)));
    expect(checkInvariants(facts, initialStock, all)).toEqual([]);
  });

  it('returns the same order for a retried Idempotency-Key and refuses it with another body', async () => {
    const key = `key-${Date.now()}`;
    const first = await request(
      'POST',
      `${pipeline.url('order')}/orders`,
      { item: 'Phone', quantity: 1 },
      { 'idempotency-key': key },
    );
    const second = await request(
      'POST',
      `${pipeline.url('order')}/orders`,
      { item: 'Phone', quantity: 1 },
      { 'idempotency-key': key },
    );
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const other = await request(
      'POST',
      `${pipeline.url('order')}/orders`,
      { item: 'Phone', quantity: 2 },
      { 'idempotency-key': key },
    );
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const facts = await readFacts(pipeline.env.DATABASE_URL ?? '');
    expect(facts.orders.filter((o) => o.id === first.body.id)).toHaveLength(1);
  });

  it('creates one order for concurrent requests with one Idempotency-Key, among other concurrent orders', async () => {
    // Sent at once, these are written by the same few intake statements: the key's copies must not
    // race each other there, and the orders without a key must all be created.
    const key = `concurrent-${Date.now()}`;
    const url = `${pipeline.url('order')}/orders`;
    const keyed = Array.from({ length: 20 }, () =>
      request('POST', url, { item: 'Phone', quantity: 1 }, { 'idempotency-key': key }),
    );
    const others = Array.from({ length: 30 }, () => request('POST', url, { item: 'Laptop', quantity: 1 }));
    const [keyedAnswers, otherAnswers] = await Promise.all([Promise.all(keyed), Promise.all(others)]);
    expect(keyedAnswers.map((a) => a.status)).toEqual(keyedAnswers.map(() => 201));
    expect(new Set(keyedAnswers.map((a) => a.body.id)).size).toBe(1);
    expect(keyedAnswers.filter((a) => a.headers.get('idempotent-replayed') === 'false')).toHaveLength(1);
    expect(otherAnswers.map((a) => a.status)).toEqual(otherAnswers.map(() => 201));
    expect(new Set(otherAnswers.map((a) => a.body.id)).size).toBe(30);
    const facts = await readFacts(pipeline.env.DATABASE_URL ?? '');
    expect(facts.orders.filter((o) => o.id === keyedAnswers[0]?.body.id)).toHaveLength(1);
    const ids = [keyedAnswers[0]?.body.id as string, ...otherAnswers.map((a) => a.body.id as string)];
    // Exactly one order.created per created order in the outbox, none for the replays.
    const outbox = await queryRows<{ key: string; events: number }>(
      `SELECT key, count(*)::int AS events FROM ${VIEWS.orderOutbox}
        WHERE key = ANY($1) AND event_type = 'order.created' GROUP BY key`,
      [ids],
    );
    expect(outbox).toHaveLength(ids.length);
    expect(outbox.every((row) => row.events === 1)).toBe(true);
    await waitFor(
      async () => {
        const stored = await readFacts(pipeline.env.DATABASE_URL ?? '');
        return stored.notifications.filter((n) => ids.includes(n.order_id)).length === ids.length;
      },
      { message: 'a notification for each concurrent order' },
    );
  });

  it('lists orders newest first with a cursor and a status filter', async () => {
    const page1 = await request('GET', `${pipeline.url('order')}/orders?limit=5`);
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(5);
    const page2 = await request(
      'GET',
      `${pipeline.url('order')}/orders?limit=5&cursor=${page1.body.nextCursor}`,
    );
    const ids1 = page1.body.items.map((o: { id: string }) => o.id);
    const ids2 = page2.body.items.map((o: { id: string }) => o.id);
    expect(ids1.filter((id: string) => ids2.includes(id))).toEqual([]);
    const times = [...page1.body.items, ...page2.body.items].map((o: { createdAt: string }) => o.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const rejected = await request('GET', `${pipeline.url('order')}/orders?status=REJECTED`);
    expect(rejected.body.items.every((o: { status: string }) => o.status === 'REJECTED')).toBe(true);
  });
});
