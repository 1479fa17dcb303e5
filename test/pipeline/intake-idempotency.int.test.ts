import { VIEWS } from '@kafka-poc/contracts';
import { formatApiKeyRecord, generateApiKey } from '@kafka-poc/service-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { request } from '../support/http.ts';
import { PgCutProxy } from '../support/pg-cut-proxy.ts';
import { TestPipeline } from '../support/pipeline.ts';
import { metricSum } from '../support/prometheus.ts';

// The intake (POST /orders) when the database answer is lost, when concurrent batches carry crossing
// Idempotency-Keys, and when two callers use the same key. order-service talks to Postgres through a
// proxy that can cut its connection right after the server committed the intake statement.

const shop = generateApiKey('shop', ['orders:write', 'read']);
const crm = generateApiKey('crm', ['orders:write', 'read']);
const INTAKE_STATEMENT = 'order-service.insert-orders';

let pipeline: TestPipeline;
let proxy: PgCutProxy;
let db: pg.Client;

beforeAll(async () => {
  const base = await TestPipeline.create({ seed: 'Laptop=10' });
  const direct = base.env.DATABASE_URL ?? '';
  proxy = await PgCutProxy.start(direct);
  pipeline = new TestPipeline({
    ...base.env,
    DATABASE_URL: proxy.url(direct),
    API_KEYS: [shop, crm].map((k) => formatApiKeyRecord(k.record)).join(','),
    // Small batches, several at once: concurrent requests land in different, overlapping statements.
    ORDER_INTAKE_MAX_BATCH: '40',
    ORDER_INTAKE_CONCURRENCY: '4',
    DB_POOL_MAX: '8',
  });
  await pipeline.start('order');
  db = new pg.Client({ connectionString: direct });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await pipeline?.stop();
  await proxy?.close();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  request('POST', `${pipeline.url('order')}/orders`, body, headers);

async function rowsFor(id: string): Promise<{ orders: number; events: number }> {
  const { rows } = await db.query<{ orders: number; events: number }>(
    `SELECT (SELECT count(*)::int FROM ${VIEWS.orders} WHERE id = $1) AS orders,
            (SELECT count(*)::int FROM ${VIEWS.orderOutbox} WHERE key = $1::text) AS events`,
    [id],
  );
  return rows[0] ?? { orders: -1, events: -1 };
}

describe('an error after the intake statement committed', () => {
  it('answers 201 with the order it committed and never inserts it twice', async () => {
    const before = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${VIEWS.orders}`);
    const cut = proxy.cutAfterAnswerTo(INTAKE_STATEMENT);
    // No Idempotency-Key: only the intake's own retry can make this safe.
    const response = await post({ item: 'Laptop', quantity: 1 });
    await cut;
    expect(response.status).toBe(201);
    expect(response.headers.get('idempotent-replayed')).toBe('false');
    expect(await rowsFor(response.body.id)).toEqual({ orders: 1, events: 1 });
    const after = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${VIEWS.orders}`);
    expect(after.rows[0]?.n).toBe((before.rows[0]?.n ?? 0) + 1);
    expect(await metricSum(pipeline.url('order'), 'order_intake_retries_total')).toBeGreaterThanOrEqual(1);
  });

  it('answers a keyed request the same way, and its replay with the same order', async () => {
    const key = crypto.randomUUID();
    const cut = proxy.cutAfterAnswerTo(INTAKE_STATEMENT);
    const first = await post({ item: 'Laptop', quantity: 2 }, { 'idempotency-key': key });
    await cut;
    expect(first.status).toBe(201);
    const again = await post({ item: 'Laptop', quantity: 2 }, { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await rowsFor(first.body.id)).toEqual({ orders: 1, events: 1 });
  });
});

describe('many parallel requests with shuffled, overlapping Idempotency-Keys', () => {
  it('never answer 503 and create one order per key', async () => {
    const keys: string[] = Array.from({ length: 150 }, () => crypto.randomUUID());
    // Every key twice, shuffled: the batches running at once share a few keys, in other orders.
    const requests = keys.flatMap((key) => [key, key]);
    for (let i = requests.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [requests[i], requests[j]] = [requests[j] ?? '', requests[i] ?? ''];
    }
    const retriesBefore = await metricSum(pipeline.url('order'), 'order_intake_retries_total');
    // A slow database (every row insert takes 5 ms) keeps concurrent statements overlapping, so each
    // holds some keys while it reaches for others (the exact crossing that deadlocked unsorted
    // statements is in services/order-service/test/order-intake.int.test.ts).
    await db.query(`CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN PERFORM pg_sleep(0.005); RETURN NEW; END $$`);
    await db.query(
      'CREATE TRIGGER slow_insert BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION slow_insert()',
    );
    onTestFinished(async () => {
      await db.query('DROP TRIGGER slow_insert ON orders');
      await db.query('DROP FUNCTION slow_insert()');
    });
    const answers = await Promise.all(
      requests.map(async (key) => ({
        key,
        ...(await post({ item: 'Laptop', quantity: 1 }, { 'idempotency-key': key })),
      })),
    );
    expect(answers.filter((a) => a.status !== 201).map((a) => [a.status, a.body])).toEqual([]);
    const idsByKey = new Map<string, Set<string>>();
    for (const a of answers) idsByKey.set(a.key, (idsByKey.get(a.key) ?? new Set()).add(a.body.id));
    expect([...idsByKey.values()].filter((ids) => ids.size !== 1)).toEqual([]);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'false')).toHaveLength(keys.length);
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM ${VIEWS.orders} WHERE idempotency_key = ANY($1)`,
      [keys],
    );
    expect(rows).toHaveLength(keys.length);
    const events = await db.query(`SELECT 1 FROM ${VIEWS.orderOutbox} WHERE key = ANY($1)`, [
      rows.map((r) => r.id),
    ]);
    expect(events.rowCount).toBe(keys.length);
    // Sorted keys: the statements wait for each other but never deadlock, so nothing was retried.
    expect(await metricSum(pipeline.url('order'), 'order_intake_retries_total')).toBe(retriesBefore);
  });
});

describe('Idempotency-Keys scoped to the caller', () => {
  it('gives two API keys with one Idempotency-Key two orders, each replaying only its own', async () => {
    const key = crypto.randomUUID();
    const body = { item: 'Laptop', quantity: 1 };
    const asShop = { 'x-api-key': shop.key, 'idempotency-key': key };
    const asCrm = { 'x-api-key': crm.key, 'idempotency-key': key };
    const shopFirst = await post(body, asShop);
    const crmFirst = await post(body, asCrm);
    expect([shopFirst.status, crmFirst.status]).toEqual([201, 201]);
    expect(crmFirst.body.id).not.toBe(shopFirst.body.id);
    expect(crmFirst.headers.get('idempotent-replayed')).toBe('false');
    const [shopAgain, crmAgain] = await Promise.all([post(body, asShop), post(body, asCrm)]);
    expect(shopAgain.body.id).toBe(shopFirst.body.id);
    expect(crmAgain.body.id).toBe(crmFirst.body.id);
    // Another body under the same key is refused for its caller only.
    const other = await post({ item: 'Laptop', quantity: 3 }, asCrm);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // An anonymous caller (allowed without AUTH_REQUIRED) has a scope of its own.
    const anonymous = await post(body, { 'idempotency-key': key });
    expect(anonymous.status).toBe(201);
    expect([shopFirst.body.id, crmFirst.body.id]).not.toContain(anonymous.body.id);
  });

  it('refuses a key with control characters, naming the header', async () => {
    // A tab (or a C1 control) gets through HTTP; the separator of scoped keys (U+001F) does not.
    const response = await post({ item: 'Laptop', quantity: 1 }, { 'idempotency-key': 'a\tb' });
    expect(response.status).toBe(422);
    expect(JSON.stringify(response.body.errors)).toMatch(/idempotency-key/);
  });
});
