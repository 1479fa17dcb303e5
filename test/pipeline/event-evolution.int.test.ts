import { deadLetterTopic, HEADERS, newEnvelope } from '@kafka-poc/contracts';
import { createAdmin, createProducer, type KafkaAdmin, type KafkaProducer } from '@kafka-poc/kafka';
import { testKafkaBrokers, uniqueName, waitFor } from '@kafka-poc/testing';
import { readFacts } from '@kafka-poc/verification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { TestPipeline } from '../support/pipeline.ts';
import { metricSum } from '../support/prometheus.ts';

// Events from a "future" producer reach today's services: a newer minor version (extra fields) is
// processed; a new major version is parked (retried with an alert, never dead-lettered, nothing
// committed past it) until it is dealt with, and then the partition moves on.

let pipeline: TestPipeline;
let producer: KafkaProducer;
let admin: KafkaAdmin;

beforeAll(async () => {
  pipeline = await TestPipeline.create({ seed: 'Laptop=20,Phone=20' });
  await pipeline.startAll();
  const connection = { brokers: testKafkaBrokers(), clientId: uniqueName('future-producer') };
  producer = createProducer(connection);
  admin = createAdmin(connection);
  await Promise.all([producer.start(), admin.start()]);
});

afterAll(async () => {
  await producer?.stop();
  await admin?.stop();
  await pipeline?.stop();
});

function orderCreated(item: string, quantity: number) {
  return newEnvelope('order.created', 'order-service', {
    orderId: crypto.randomUUID(),
    item,
    quantity,
    status: 'PENDING' as const,
  });
}

async function publish(topic: string, key: string, event: unknown): Promise<void> {
  const id = (event as { id: string }).id;
  await producer.send([
    {
      topic,
      key,
      value: JSON.stringify(event),
      headers: { [HEADERS.eventId]: id, [HEADERS.contentType]: 'application/json' },
    },
  ]);
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

describe('a newer minor version', () => {
  it('is processed by every consumer: unknown fields are ignored, not dead-lettered', async () => {
    const event = orderCreated('Laptop', 2);
    const { orderId } = event.payload;
    await publish(pipeline.topics.orderEvents, orderId, {
      ...event,
      minor: 4,
      channel: 'kiosk',
      payload: { ...event.payload, giftWrap: true, discounts: [{ code: 'X', percent: 5 }] },
    });
    const reserved = newEnvelope('inventory.reserved', 'inventory-service', {
      orderId: crypto.randomUUID(),
      item: 'Phone',
      quantity: 1,
      status: 'RESERVED' as const,
      remainingStock: 7,
    });
    await publish(pipeline.topics.inventoryEvents, reserved.payload.orderId, {
      ...reserved,
      minor: 1,
      payload: { ...reserved.payload, warehouse: 'north' },
    });
    // A status event of a newer minor version: notification-service stores its notification.
    const confirmed = newEnvelope('order.confirmed', 'order-service', {
      orderId: crypto.randomUUID(),
      item: 'Phone',
      quantity: 1,
      status: 'CONFIRMED' as const,
    });
    await publish(pipeline.topics.orderEvents, confirmed.payload.orderId, {
      ...confirmed,
      minor: 2,
      payload: { ...confirmed.payload, loyaltyPoints: 10 },
    });
    await waitFor(() => readFacts(pipeline.env.DATABASE_URL ?? ''), {
      until: (f) =>
        f.reservations.some((r) => r.order_id === orderId && r.status === 'RESERVED') &&
        f.inbox.inventory.has(event.id) &&
        // order-service applied the decision (its order is unknown here, so it changed nothing).
        f.inbox.order.has(reserved.id) &&
        f.notifications.some((n) => n.order_id === confirmed.payload.orderId && n.status === 'CONFIRMED'),
      timeoutMs: 30_000,
      message: 'minor-version events processed by inventory, order and notification',
    });
    expect(await deadLetters()).toBe(0);
  });
});

describe('a new major version', () => {
  it('is parked with an alert and never dead-lettered; once moved past, the partition goes on', async () => {
    const inventory = pipeline.url('inventory');
    const base = orderCreated('Phone', 1);
    const v2 = {
      ...base,
      version: 2,
      payload: { orderId: base.payload.orderId, lines: [{ sku: 'Phone', units: 3 }] },
    };
    const topic = pipeline.topics.orderEvents;
    const [produced] = await producer.send([
      { topic, partition: 0, key: base.payload.orderId, value: JSON.stringify(v2) },
    ]);
    const parkedAt = produced?.offset ?? -1n;

    await waitFor(
      () => metricSum(inventory, 'consumer_batch_retries_total', { reason: 'unsupported_event' }),
      {
        until: (n) => n >= 3,
        timeoutMs: 30_000,
        message: 'inventory-service retrying the parked event',
      },
    );
    expect(await metricSum(inventory, 'consumer_batch_retrying_seconds')).toBeGreaterThan(0);
    // Parked, not skipped: everything before it is committed (within the commit interval), nothing
    // after it (a partition never committed is read from its start, offset 0).
    const committed0 = async () =>
      (await admin.groupLag(pipeline.groups.inventory, [topic])).find((p) => p.partition === 0)
        ?.committedOffset ?? 0n;
    await waitFor(committed0, {
      until: (offset) => offset >= parkedAt,
      timeoutMs: 10_000,
      message: 'everything before the parked event committed',
    });
    expect(await committed0()).toBe(parkedAt);
    // Orders placed meanwhile wait for the consumer; none is lost.
    const waiting = await request('POST', `${pipeline.url('order')}/orders`, { item: 'Laptop', quantity: 1 });
    expect(waiting.status).toBe(201);
    expect(await deadLetters()).toBe(0);

    // The operator's way on when no consumer will ever read it (the other way, deploying one that
    // does, is in packages/outbox/test/inbox-handler.int.test.ts): stop the group, move past it.
    const current = pipeline.instances.find((i) => i.kind === 'inventory')?.runtime;
    await pipeline.stop(current);
    await waitFor(() => admin.describeGroup(pipeline.groups.inventory), {
      until: (group) => group.members.length === 0,
      timeoutMs: 30_000,
      message: 'inventory group empty',
    });
    await admin.resetGroupOffsets(pipeline.groups.inventory, [topic], {
      kind: 'offsets',
      offsets: [{ topic, partition: 0, offset: parkedAt + 1n }],
    });
    await pipeline.start('inventory');
    await waitFor(
      async () => (await request('GET', `${pipeline.url('order')}/orders/${waiting.body.id}`)).body.status,
      {
        until: (status) => status === 'CONFIRMED',
        timeoutMs: 30_000,
        message: 'the waiting order confirmed',
      },
    );
    await waitFor(() => admin.groupLag(pipeline.groups.inventory, [topic]), {
      until: (lag) => lag.every((p) => p.lag === 0n),
      timeoutMs: 30_000,
      message: 'order-events consumed to the end',
    });
    const facts = await readFacts(pipeline.env.DATABASE_URL ?? '');
    expect(facts.reservations.filter((r) => r.order_id === base.payload.orderId)).toEqual([]);
    expect(await deadLetters()).toBe(0);
  });
});
