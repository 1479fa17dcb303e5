import { deadLetterTopic, HEADERS, VIEWS } from '@kafka-poc/contracts';
import { createAdmin, createProducer, type KafkaAdmin, type KafkaProducer } from '@kafka-poc/kafka';
import { testKafkaBrokers, waitFor } from '@kafka-poc/testing';
import { readFacts } from '@kafka-poc/verification';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { TestPipeline } from '../support/pipeline.ts';

// Redelivery and poison: the same event twice has one effect; malformed events go to the DLT and
// consumption continues.

let pipeline: TestPipeline;
let producer: KafkaProducer;
let admin: KafkaAdmin;
let db: pg.Client;

beforeAll(async () => {
  pipeline = await TestPipeline.create({ seed: 'Laptop=20' });
  await pipeline.startAll();
  const connection = { brokers: testKafkaBrokers(), clientId: 'delivery-test' };
  producer = createProducer(connection);
  admin = createAdmin(connection);
  await producer.start();
  await admin.start();
  db = new pg.Client({ connectionString: pipeline.env.DATABASE_URL });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await producer?.stop();
  await admin?.stop();
  await pipeline?.stop();
});

async function orderAndWait(item: string, quantity: number): Promise<string> {
  const { body } = await request('POST', `${pipeline.url('order')}/orders`, { item, quantity });
  await waitFor(
    async () =>
      (await request('GET', `${pipeline.url('order')}/orders/${body.id}`)).body.status !== 'PENDING',
    { timeoutMs: 20_000, message: `order ${body.id} final` },
  );
  await waitFor(
    async () =>
      (await readFacts(pipeline.env.DATABASE_URL ?? '')).notifications.some((n) => n.order_id === body.id),
    {
      timeoutMs: 20_000,
      message: 'notification stored',
    },
  );
  return body.id;
}

describe('redelivery', () => {
  it('applies an order.created event delivered twice only once', async () => {
    const orderId = await orderAndWait('Laptop', 3);
    const { rows } = await db.query(`SELECT key, value, headers FROM ${VIEWS.orderOutbox} WHERE key = $1`, [
      orderId,
    ]);
    const original = rows[0];
    expect(original).toBeDefined();
    // Publish the very same event again (what a relay crash before marking it sent would do).
    await producer.send([
      {
        topic: pipeline.topics.orderEvents,
        key: original.key,
        value: original.value,
        headers: original.headers,
      },
    ]);
    const marker = await orderAndWait('Laptop', 1); // proves the duplicate was consumed (same partition or later)
    await waitFor(
      async () => {
        const inbox = await db.query(`SELECT count(*)::int AS n FROM ${VIEWS.inventoryInbox}`);
        return inbox.rows[0].n >= 2;
      },
      { timeoutMs: 10_000, message: 'inbox rows' },
    );
    const facts = await readFacts(pipeline.env.DATABASE_URL ?? '');
    expect(facts.reservations.filter((r) => r.order_id === orderId)).toHaveLength(1);
    expect(facts.notifications.filter((n) => n.order_id === orderId)).toHaveLength(1);
    expect(facts.stock.get('Laptop')).toBe(20 - 3 - 1);
    expect(marker).toBeTruthy();
    const decided = await db.query(`SELECT count(*)::int AS n FROM ${VIEWS.inventoryOutbox} WHERE key = $1`, [
      orderId,
    ]);
    expect(decided.rows[0].n).toBe(1);
  });

  it('does not decide an order twice even when its event comes again under a new event id', async () => {
    const orderId = await orderAndWait('Laptop', 2);
    const { rows } = await db.query(`SELECT key, value, headers FROM ${VIEWS.orderOutbox} WHERE key = $1`, [
      orderId,
    ]);
    const event = JSON.parse(rows[0].value);
    const copy = { ...event, id: crypto.randomUUID() };
    await producer.send([{ topic: pipeline.topics.orderEvents, key: orderId, value: JSON.stringify(copy) }]);
    await waitFor(
      async () => {
        const inbox = await db.query(`SELECT 1 FROM ${VIEWS.inventoryInbox} WHERE event_id = $1`, [copy.id]);
        return inbox.rowCount === 1;
      },
      { timeoutMs: 20_000, message: 'copy consumed' },
    );
    const facts = await readFacts(pipeline.env.DATABASE_URL ?? '');
    expect(facts.reservations.filter((r) => r.order_id === orderId)).toHaveLength(1);
  });
});

describe('poison messages', () => {
  it('dead-letters malformed and schema-violating events with error headers and keeps consuming', async () => {
    const topic = pipeline.topics.orderEvents;
    await producer.send([
      { topic, key: 'bad-json', value: '{"this is": not json', partition: 0 },
      {
        topic,
        key: 'bad-schema',
        value: JSON.stringify({ type: 'order.created', payload: { quantity: -1 } }),
        partition: 0,
      },
    ]);
    const after = await orderAndWait('Laptop', 1);
    expect(after).toBeTruthy();
    const dlt = deadLetterTopic(topic);
    const letters = await waitFor(
      async () => {
        const all = [];
        for (const partition of [0, 1, 2])
          all.push(...(await admin.readMessages(dlt, { partition, limit: 100 })));
        return all;
      },
      { timeoutMs: 20_000, message: 'two dead letters', until: (all) => all.length >= 2 },
    );
    const byKey = new Map(letters.map((m) => [m.key, m]));
    const badJson = byKey.get('bad-json');
    expect(badJson?.headers[HEADERS.dlqError]).toMatch(/invalid JSON/);
    expect(badJson?.headers[HEADERS.dlqOriginalTopic]).toBe(topic);
    expect(badJson?.headers[HEADERS.dlqOriginalPartition]).toBe('0');
    expect(badJson?.headers[HEADERS.dlqOriginalOffset]).toMatch(/^\d+$/);
    expect(badJson?.headers[HEADERS.dlqAttempts]).toBe('1');
    expect(badJson?.value.toString()).toBe('{"this is": not json');
    expect(byKey.get('bad-schema')?.headers[HEADERS.dlqError]).toMatch(/schema violation/);
  });
});
