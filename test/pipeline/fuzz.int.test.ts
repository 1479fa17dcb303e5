import { deadLetterTopic, HEADERS, VIEWS } from '@kafka-poc/contracts';
import {
  createAdmin,
  createProducer,
  type IncomingMessage,
  type KafkaAdmin,
  type KafkaProducer,
} from '@kafka-poc/kafka';
import type { ServiceRuntime } from '@kafka-poc/service-kit';
import { testKafkaBrokers, waitFor } from '@kafka-poc/testing';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { TestPipeline } from '../support/pipeline.ts';

// Property-based: hostile HTTP bodies, queries and paths never produce a 5xx or a corrupt row, and
// random or corrupt Kafka messages never crash a consumer — they all land in the dead-letter topic.

let pipeline: TestPipeline;
let order: ServiceRuntime;
let inventory: ServiceRuntime;
let notification: ServiceRuntime;
let db: pg.Client;

const hostileStrings = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    "'; DROP TABLE orders; --",
    '" OR 1=1 --',
    '<script>alert(1)</script>',
    '../../etc/passwd',
    '%00',
    '\u0000',
    '\uFEFFLaptop',
    'Laptop\u202E',
    '𝔏𝔞𝔭𝔱𝔬𝔭',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal log4shell-style probe, not a template
    '${jndi:ldap://x}',
    '{{7*7}}',
    '\\u0000',
    'x'.repeat(101),
  ),
);

const deepObject = fc.integer({ min: 50, max: 2000 }).map((depth) => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { item: value };
  return value;
});

const orderishBody = fc.record(
  {
    item: fc.oneof(hostileStrings, fc.jsonValue()),
    quantity: fc.oneof(fc.integer(), fc.double(), fc.bigInt().map(String), hostileStrings, fc.constant(null)),
    extra: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

const rawBodies = fc.oneof(
  fc.constantFrom(
    '{"item":"Laptop","item":"Phone","quantity":1}',
    '{"item":"Laptop","quantity":1,"quantity":-5}',
    '{"item":"Laptop","quantity":1',
    '\uFEFF{"item":"Laptop","quantity":1}',
    'null',
    '[]',
    '1e999',
    '{"__proto__":{"admin":true},"item":"Laptop","quantity":1}',
    '{"constructor":{"prototype":{"x":1}},"item":"Laptop","quantity":1}',
  ),
  fc.string({ maxLength: 500 }),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
  orderishBody.map((v) => JSON.stringify(v)),
  deepObject.map((v) => JSON.stringify(v)),
);

async function inject(
  runtime: ServiceRuntime,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: string,
) {
  const response = await runtime.http.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'application/json' } }),
  });
  return response;
}

beforeAll(async () => {
  pipeline = await TestPipeline.create({ seed: 'Laptop=1000000' });
  await pipeline.startAll();
  const find = (kind: string) => pipeline.instances.find((i) => i.kind === kind)?.runtime as ServiceRuntime;
  order = find('order');
  inventory = find('inventory');
  notification = find('notification');
  db = new pg.Client({ connectionString: pipeline.env.DATABASE_URL });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await pipeline?.stop();
});

describe('HTTP fuzzing', () => {
  it('POST /orders: never a 5xx, and every 201 stored a valid order', async () => {
    await fc.assert(
      fc.asyncProperty(rawBodies, async (body) => {
        const response = await inject(order, 'POST', '/orders', body);
        expect(response.statusCode, `${response.statusCode} for ${body.slice(0, 200)}`).toBeLessThan(500);
        if (response.statusCode === 201) expect(JSON.parse(response.body).status).toBe('PENDING');
        else expect(response.headers['content-type']).toMatch(/problem\+json/);
      }),
      { numRuns: 300 },
    );
    const corrupt = await db.query(
      `SELECT count(*)::int AS n FROM ${VIEWS.orders} WHERE quantity < 1 OR quantity > 10000 OR length(item) = 0 OR length(item) > 100 OR status <> ALL('{PENDING,CONFIRMED,REJECTED}')`,
    );
    expect(corrupt.rows[0].n).toBe(0);
  });

  it('query strings and path parameters of every GET: never a 5xx', async () => {
    const services = () => ({ order, inventory, notification });
    const paths = fc.oneof(
      hostileStrings.map((s) => ({ service: 'order', url: `/orders/${encodeURIComponent(s)}` })),
      hostileStrings.map((s) => ({
        service: 'order',
        url: `/orders?status=${encodeURIComponent(s)}&limit=${encodeURIComponent(s)}&cursor=${encodeURIComponent(s)}`,
      })),
      hostileStrings.map((s) => ({ service: 'inventory', url: `/inventory/${encodeURIComponent(s)}` })),
      hostileStrings.map((s) => ({
        service: 'notification',
        url: `/notifications?orderId=${encodeURIComponent(s)}&limit=${encodeURIComponent(s)}`,
      })),
      fc.constantFrom(
        { service: 'order', url: '/orders?limit=1&limit=2' },
        { service: 'order', url: '/orders?status[]=PENDING' },
        { service: 'order', url: '/orders/%' },
        { service: 'inventory', url: '/inventory/%E0%A4%A' },
      ),
    );
    await fc.assert(
      fc.asyncProperty(paths, async ({ service, url }) => {
        const runtime = services()[service as 'order' | 'inventory' | 'notification'];
        const response = await inject(runtime, 'GET', url);
        expect(response.statusCode, `${response.statusCode} for ${service} ${url}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });

  it('PUT /inventory/:item: never a 5xx, stock never negative or absurd', async () => {
    await fc.assert(
      fc.asyncProperty(hostileStrings, rawBodies, async (item, body) => {
        const response = await inject(inventory, 'PUT', `/inventory/${encodeURIComponent(item)}`, body);
        expect(response.statusCode, `${response.statusCode} for ${item} ${body.slice(0, 100)}`).toBeLessThan(
          500,
        );
      }),
      { numRuns: 200 },
    );
    const corrupt = await db.query(
      `SELECT count(*)::int AS n FROM ${VIEWS.stock} WHERE stock < 0 OR length(item) > 100`,
    );
    expect(corrupt.rows[0].n).toBe(0);
  });
});

describe('Kafka fuzzing', () => {
  let producer: KafkaProducer;
  let admin: KafkaAdmin;

  beforeAll(async () => {
    const connection = { brokers: testKafkaBrokers(), clientId: 'fuzz' };
    producer = createProducer(connection);
    admin = createAdmin(connection);
    await producer.start();
    await admin.start();
  });

  afterAll(async () => {
    await producer?.stop();
    await admin?.stop();
  });

  it('dead-letters every random or corrupt message and keeps consuming', async () => {
    const garbage = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
        fc
          .record({
            id: fc.uuid(),
            type: fc.constantFrom('order.created', 'inventory.reserved', 'inventory.rejected'),
            payload: fc.jsonValue(),
          })
          .map((v) => Buffer.from(JSON.stringify(v))),
      ),
      { numRuns: 60, seed: 4242 },
    );
    const { orderEvents, inventoryEvents } = pipeline.topics;
    await producer.send(garbage.map((value, i) => ({ topic: orderEvents, key: `fuzz-${i}`, value })));
    await producer.send(garbage.map((value, i) => ({ topic: inventoryEvents, key: `fuzz-${i}`, value })));

    // Good traffic still flows through all three services afterwards.
    const { body } = await request('POST', `${pipeline.url('order')}/orders`, {
      item: 'Laptop',
      quantity: 1,
    });
    await waitFor(
      async () =>
        (await request('GET', `${pipeline.url('order')}/orders/${body.id}`)).body.status === 'CONFIRMED',
      {
        timeoutMs: 30_000,
        message: 'order after the garbage confirmed',
      },
    );

    const readAll = async (topic: string) =>
      (
        await Promise.all(
          [0, 1, 2].map((partition) =>
            admin.readMessages(deadLetterTopic(topic), { partition, limit: 1000 }),
          ),
        )
      ).flat();
    const fuzzed = (letters: IncomingMessage[]) => letters.filter((m) => m.key?.startsWith('fuzz-'));
    // order-events is read by two groups (inventory and notification); each dead-letters every bad message once.
    const orderLetters = await waitFor(() => readAll(orderEvents), {
      until: (l) => fuzzed(l).length >= 2 * garbage.length,
      timeoutMs: 30_000,
      message: 'order-events dead letters',
    });
    expect(new Set(fuzzed(orderLetters).map((m) => m.key)).size).toBe(garbage.length);
    expect(new Set(fuzzed(orderLetters).map((m) => m.headers[HEADERS.dlqConsumerGroup]))).toEqual(
      new Set([pipeline.groups.inventory, pipeline.groups.notification]),
    );
    const inventoryLetters = await waitFor(() => readAll(inventoryEvents), {
      until: (l) => fuzzed(l).length >= garbage.length,
      timeoutMs: 30_000,
      message: 'inventory-events dead letters',
    });
    expect(new Set(fuzzed(inventoryLetters).map((m) => m.headers[HEADERS.dlqConsumerGroup]))).toEqual(
      new Set([pipeline.groups.order]),
    );
    for (const kind of ['order', 'inventory', 'notification'] as const) {
      expect((await request('GET', `${pipeline.url(kind)}/health/ready`)).status).toBe(200);
    }
  });
});
