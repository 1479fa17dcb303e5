import { VIEWS } from '@kafka-poc/contracts';
import { createAdmin, type KafkaAdmin } from '@kafka-poc/kafka';
import { uniqueName, waitFor } from '@kafka-poc/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { type ServiceKind, TestPipeline } from '../support/pipeline.ts';

// The inbox retention and the second line of idempotency behind it, through the real services,
// broker and Postgres: with a retention of one second every inbox row is purged soon after it was
// written (as the default would after 15 days). Then every group is replayed from the earliest
// offset: each event finds no inbox row and is applied again — and changes nothing, because a
// reservation, a notification and a status change exist at most once per order.

const INBOX_VIEWS = [VIEWS.orderInbox, VIEWS.inventoryInbox, VIEWS.notificationInbox];
let pipeline: TestPipeline;
let db: pg.Client;
let admin: KafkaAdmin;

beforeAll(async () => {
  pipeline = await TestPipeline.create({
    seed: 'Laptop=5,Phone=100',
    env: { INBOX_RETENTION_MS: '1000' },
  });
  await pipeline.startAll();
  db = new pg.Client({ connectionString: pipeline.env.DATABASE_URL });
  await db.connect();
  admin = createAdmin({
    brokers: pipeline.env.KAFKA_BROKERS?.split(',') ?? [],
    clientId: uniqueName('retention'),
  });
  await admin.start();
});

afterAll(async () => {
  await admin?.stop();
  await db?.end();
  await pipeline?.stop();
});

/** Every effect of the pipeline, with the timestamps a second application would move. */
async function effects() {
  const rows = async (text: string) => (await db.query(text)).rows;
  return {
    orders: await rows(`SELECT id, status, reason, updated_at FROM ${VIEWS.orders} ORDER BY id`),
    stock: await rows(`SELECT item, stock, updated_at FROM ${VIEWS.stock} ORDER BY item`),
    reservations: await rows(`SELECT * FROM ${VIEWS.reservations} ORDER BY order_id`),
    notifications: await rows(
      `SELECT id, order_id, status, message, created_at FROM ${VIEWS.notifications} ORDER BY id`,
    ),
    decisionEvents: await rows(`SELECT count(*)::int AS n FROM ${VIEWS.inventoryOutbox}`),
    orderEvents: await rows(`SELECT count(*)::int AS n FROM ${VIEWS.orderOutbox}`),
  };
}

async function inboxRows(): Promise<number> {
  const counts = await Promise.all(
    INBOX_VIEWS.map(
      async (t) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)).rows[0]?.n,
    ),
  );
  return counts.reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

async function topicEnd(topic: string): Promise<bigint> {
  const [description] = await admin.describeTopics([topic]);
  let total = 0n;
  for (const p of description?.partitions ?? []) {
    const messages = await admin.readMessages(topic, { partition: p.partition, limit: 10_000 });
    total += BigInt(messages.length);
  }
  return total;
}

/** Events consumed (claimed as new) by the running instance of a service, per topic. */
async function consumedOk(kind: ServiceKind, topic: string): Promise<number> {
  const runtime = pipeline.instances.find((i) => i.kind === kind)?.runtime;
  const metric = await runtime?.pipeline.eventsConsumed.get();
  return metric?.values.find((v) => v.labels.topic === topic && v.labels.outcome === 'ok')?.value ?? 0;
}

describe('inbox retention', () => {
  it('purges inbox rows, and a replay from earliest afterwards changes nothing', async () => {
    const orders = [
      ...Array.from({ length: 8 }, () => ({ item: 'Laptop', quantity: 1 })), // 5 confirmed, 3 rejected
      ...Array.from({ length: 4 }, () => ({ item: 'Phone', quantity: 2 })),
    ];
    for (const order of orders) {
      const response = await request('POST', `${pipeline.url('order')}/orders`, order);
      expect(response.status).toBe(201);
    }
    await waitFor(
      async () =>
        (await db.query(`SELECT count(*)::int AS n FROM ${VIEWS.orders} WHERE status <> 'PENDING'`)).rows[0]
          .n,
      { until: (n) => n === 12, timeoutMs: 30_000, message: 'every order decided' },
    );
    await waitFor(
      async () => (await db.query(`SELECT count(*)::int AS n FROM ${VIEWS.notifications}`)).rows[0].n,
      {
        until: (n) => n === 12,
        timeoutMs: 30_000,
        message: 'every order notified',
      },
    );
    // The janitors purge every inbox row once it is older than the (one second) retention.
    await waitFor(inboxRows, { until: (n) => n === 0, timeoutMs: 30_000, message: 'inbox rows purged' });
    const before = await effects();
    expect(before.orders.map((o) => o.status).sort()).toEqual([
      ...Array(9).fill('CONFIRMED'),
      ...Array(3).fill('REJECTED'),
    ]);
    const { orderEvents: orderTopic, inventoryEvents: inventoryTopic } = pipeline.topics;
    const records = {
      orderEvents: await topicEnd(orderTopic),
      inventoryEvents: await topicEnd(inventoryTopic),
    };
    // order-events: each order's order.created and its status event.
    expect(records).toEqual({ orderEvents: 24n, inventoryEvents: 12n });

    // Replay: every group back to the earliest offset, with no inbox row left to recognise an event.
    await pipeline.stop();
    const groups = [
      { kind: 'inventory' as const, topic: orderTopic },
      { kind: 'order' as const, topic: inventoryTopic },
      { kind: 'notification' as const, topic: orderTopic },
    ];
    for (const { kind, topic } of groups) {
      await waitFor(() => admin.resetGroupOffsets(pipeline.groups[kind], [topic], { kind: 'earliest' }), {
        timeoutMs: 30_000,
        message: `offsets of ${pipeline.groups[kind]} reset (the group empties after its members left)`,
      });
    }
    await pipeline.startAll();
    for (const { kind, topic } of groups) {
      const events = Number(topic === orderTopic ? records.orderEvents : records.inventoryEvents);
      await waitFor(() => consumedOk(kind, topic), {
        until: (n) => n === events,
        timeoutMs: 30_000,
        message: `${kind}-service re-applied all ${events} events of ${topic} as new`,
      });
      await waitFor(
        async () => (await admin.groupLag(pipeline.groups[kind], [topic])).every((p) => p.lag === 0n),
        {
          timeoutMs: 30_000,
          message: `${kind}-service committed the replay`,
        },
      );
    }

    // No changed stock, no second reservation, notification or status change, no new event.
    expect(await effects()).toEqual(before);
    expect({
      orderEvents: await topicEnd(orderTopic),
      inventoryEvents: await topicEnd(inventoryTopic),
    }).toEqual(records);
  });
});
