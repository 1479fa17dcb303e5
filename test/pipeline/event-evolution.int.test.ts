import {
  deadLetterTopic,
  decodeEvent,
  HEADERS,
  newEnvelope,
  type OrderEvent,
  orderEvent,
} from '@kafka-poc/contracts';
import { createDatabase, createPool } from '@kafka-poc/db';
import {
  createAdmin,
  createConsumerRunner,
  createProducer,
  type KafkaAdmin,
  type KafkaProducer,
} from '@kafka-poc/kafka';
import { createInboxBatchHandler } from '@kafka-poc/outbox';
import { testKafkaBrokers, uniqueName, waitFor } from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { inventoryInbox } from '../../services/inventory-service/src/db/schema.ts';
import { reserveBatch } from '../../services/inventory-service/src/inventory/inventory-repository.ts';
import { request } from '../support/http.ts';
import { readFacts } from '../support/invariants.ts';
import { TestPipeline } from '../support/pipeline.ts';
import { metricSum } from '../support/prometheus.ts';

// Events from a "future" producer reach today's consumers: a newer minor version (extra fields) is
// processed; a new major version is parked (retried with an alert, never dead-lettered) until a
// consumer that reads it is deployed, and then the partition moves on.

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
    await waitFor(() => readFacts(pipeline.env.DATABASE_URL ?? ''), {
      until: (f) =>
        f.reservations.some((r) => r.order_id === orderId && r.status === 'RESERVED') &&
        f.notifications.some((n) => n.order_id === orderId) &&
        f.notifications.some((n) => n.order_id === reserved.payload.orderId),
      timeoutMs: 30_000,
      message: 'minor-version events processed by inventory and notification',
    });
    expect(await deadLetters()).toBe(0);
  });
});

describe('a new major version', () => {
  it('is parked with an alert, then processed by an upgraded consumer, and the partition moves on', async () => {
    const inventory = pipeline.url('inventory');
    const base = orderCreated('Phone', 1);
    const v2 = {
      ...base,
      version: 2,
      payload: { orderId: base.payload.orderId, lines: [{ sku: 'Phone', units: 3 }] },
    };
    await publish(pipeline.topics.orderEvents, base.payload.orderId, v2);

    await waitFor(
      () => metricSum(inventory, 'consumer_batch_retries_total', { reason: 'unsupported_event' }),
      {
        until: (n) => n >= 3,
        timeoutMs: 30_000,
        message: 'inventory-service retrying the parked event',
      },
    );
    expect(await metricSum(inventory, 'consumer_batch_retrying_seconds')).toBeGreaterThan(0);
    expect(await deadLetters()).toBe(0);
    // While it is parked, inventory-service stops: an order placed now waits (no order is lost).
    const waiting = await request('POST', `${pipeline.url('order')}/orders`, { item: 'Laptop', quantity: 1 });
    expect(waiting.status).toBe(201);

    // The upgrade: inventory-service is replaced by a consumer that reads version 2 (lines → item, quantity).
    const current = pipeline.instances.find((i) => i.kind === 'inventory')?.runtime;
    await pipeline.stop(current);
    const pool = createPool(
      {
        url: pipeline.env.DATABASE_URL ?? '',
        max: 2,
        connectionTimeoutMs: 5000,
        statementTimeoutMs: 10_000,
        applicationName: 'upgraded',
      },
      () => undefined,
    );
    const upgraded = createConsumerRunner({
      connection: { brokers: testKafkaBrokers(), clientId: uniqueName('upgraded-inventory') },
      groupId: pipeline.groups.inventory,
      topics: [pipeline.topics.orderEvents],
      handler: createInboxBatchHandler<OrderEvent>({
        db: createDatabase(pool),
        producer,
        groupId: pipeline.groups.inventory,
        inbox: inventoryInbox,
        decode: readVersion1Or2,
        apply: async (tx, events) => {
          await reserveBatch(tx, pipeline.topics.inventoryEvents, events);
        },
      }),
    });
    try {
      await upgraded.start();
      await waitFor(
        async () => await admin.groupLag(pipeline.groups.inventory, [pipeline.topics.orderEvents]),
        {
          until: (lag) => lag.every((p) => p.lag === 0n),
          timeoutMs: 30_000,
          message: 'order-events consumed to the end past the version-2 event',
        },
      );
    } finally {
      await upgraded.stop();
      await pool.end();
    }
    await pipeline.start('inventory');
    const facts = await waitFor(() => readFacts(pipeline.env.DATABASE_URL ?? ''), {
      until: (f) =>
        f.reservations.some((r) => r.order_id === base.payload.orderId && r.quantity === 3) &&
        f.orders.find((o) => o.id === waiting.body.id)?.status === 'CONFIRMED',
      timeoutMs: 30_000,
      message: 'the version-2 order reserved and the waiting order confirmed',
    });
    expect(facts.reservations.filter((r) => r.order_id === base.payload.orderId)).toHaveLength(1);
    expect(await deadLetters()).toBe(0);
  });
});

/** What a consumer upgraded to read version 2 of order.created would do with it. */
function readVersion1Or2(value: Buffer): ReturnType<typeof decodeEvent<typeof orderEvent>> {
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return decodeEvent(orderEvent, value);
  }
  const v2 = z
    .object({
      version: z.literal(2),
      payload: z.object({
        orderId: z.uuid(),
        lines: z.array(z.object({ sku: z.string(), units: z.int() })).length(1),
      }),
    })
    .safeParse(json);
  if (!v2.success) return decodeEvent(orderEvent, value);
  const [line] = v2.data.payload.lines;
  const asV1 = {
    ...(json as object),
    version: 1,
    payload: { orderId: v2.data.payload.orderId, item: line?.sku, quantity: line?.units, status: 'PENDING' },
  };
  return decodeEvent(orderEvent, JSON.stringify(asV1));
}
