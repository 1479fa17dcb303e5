import { randomUUID } from 'node:crypto';
import { deadLetterTopic, HEADERS, SERVICE_DATA, VIEWS } from '@kafka-poc/contracts';
import { createAdmin, type KafkaAdmin } from '@kafka-poc/kafka';
import { testKafkaBrokers, waitFor } from '@kafka-poc/testing';
import { checkInvariants, readFacts } from '@kafka-poc/verification';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { TestPipeline } from '../support/pipeline.ts';
import { metricSum } from '../support/prometheus.ts';

// Gray failures inside the database while orders flow: a row lock held far past the statement
// timeout, a deadlock, a table renamed under the consumer, environmental SQLSTATEs raised by a
// trigger. Each is retried until it passes: every order ends final, nothing is dead-lettered.
// The faults are injected as the administrator into the services' own schemas (named explicitly);
// what the test reads it reads from the published views.

const INVENTORY = SERVICE_DATA.inventory.schema;
const NOTIFICATION = SERVICE_DATA.notification.schema;

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
      // As a client should: a 503 or 409 (the intake's own 2.5 s statement timeout on a starved machine) is
      // retried with the same Idempotency-Key. What is under test is the consumers, not the intake.
      const key = randomUUID();
      for (let attempt = 1; ; attempt++) {
        const { status, body } = await request(
          'POST',
          `${pipeline.url('order')}/orders`,
          { item: items[i % items.length], quantity: 1 },
          { 'idempotency-key': key },
        );
        if ((status === 503 || status === 409) && attempt < 5) {
          await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
          continue;
        }
        expect(status).toBe(201);
        return body.id as string;
      }
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

async function deadlocks(): Promise<number> {
  const { rows } = await session.query<{ n: number }>(
    'SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return rows[0]?.n ?? 0;
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
    await session.query(`SELECT stock FROM ${VIEWS.stock} WHERE item = 'Laptop' FOR UPDATE`);
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

describe('a deadlock between the consumer and another session', () => {
  it('is retried and the order decided, with nothing dead-lettered', async () => {
    const before = await retries('inventory', { reason: 'environment' });
    const deadlocksBefore = await deadlocks();
    const { rows } = await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const sessionPid = rows[0]?.pid;
    // This session must not be the victim: Postgres aborts the waiter whose check runs first.
    await session.query(`SET deadlock_timeout = '30s'`);
    await session.query('BEGIN');
    try {
      await session.query(`SELECT stock FROM ${VIEWS.stock} WHERE item = 'Monitor' FOR UPDATE`);
      const [orderId] = await placeOrders(1, ['Monitor']);
      // The consumer's transaction claimed the event in the inbox, then waits for the Monitor row.
      await waitFor(
        () =>
          session.query('SELECT 1 FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))', [
            sessionPid,
          ]),
        { until: (r) => (r.rowCount ?? 0) > 0, timeoutMs: 30_000, message: 'consumer waiting for the row' },
      );
      const { rows: events } = await session.query<{ id: string }>(
        `SELECT event_id AS id FROM ${VIEWS.orderOutbox} WHERE key = $1`,
        [orderId],
      );
      // Now wait for the consumer's inbox row: a cycle, and the consumer's deadlock check breaks it.
      await session.query(
        `INSERT INTO ${INVENTORY}.inventory_inbox (event_id, event_type, topic, partition, "offset")
         VALUES ($1, 'probe', 'probe', 0, 0) ON CONFLICT DO NOTHING`,
        [events[0]?.id],
      );
    } finally {
      await session.query('ROLLBACK');
      await session.query('RESET deadlock_timeout');
    }
    await waitUntilFinal(accepted.slice(-1));
    await waitFor(deadlocks, {
      until: (n) => n > deadlocksBefore,
      timeoutMs: 30_000,
      message: 'deadlock counted',
    });
    expect(await retries('inventory', { reason: 'environment' })).toBeGreaterThan(before);
    expect(await deadLetters()).toBe(0);
  });
});

describe('a schema mid-deploy: a table and a column renamed under the consumers', () => {
  it('retries until they are back, and dead-letters nothing', async () => {
    const inventoryBefore = await retries('inventory', { reason: 'environment' });
    const notificationBefore = await retries('notification', { reason: 'environment' });
    await session.query(`ALTER TABLE ${INVENTORY}.reservations RENAME TO reservations_next`);
    await session.query(`ALTER TABLE ${NOTIFICATION}.notifications RENAME COLUMN message TO message_next`);
    let restored = false;
    try {
      const ids = await placeOrders(6, ['Laptop', 'Phone']);
      // undefined_table (42P01) at inventory-service, once the table is back undefined_column
      // (42703) at notification-service: at least three attempts each, more than the old handler allowed.
      await waitFor(() => retries('inventory', { reason: 'environment' }), {
        until: (n) => n >= inventoryBefore + 3,
        timeoutMs: 60_000,
        message: 'inventory-service retrying',
      });
      await session.query(`ALTER TABLE ${INVENTORY}.reservations_next RENAME TO reservations`);
      await waitFor(() => retries('notification', { reason: 'environment' }), {
        until: (n) => n >= notificationBefore + 3,
        timeoutMs: 60_000,
        message: 'notification-service retrying',
      });
      await session.query(`ALTER TABLE ${NOTIFICATION}.notifications RENAME COLUMN message_next TO message`);
      restored = true;
      await waitUntilFinal(ids);
    } finally {
      if (!restored) {
        await session.query(`ALTER TABLE IF EXISTS ${INVENTORY}.reservations_next RENAME TO reservations`);
        await session
          .query(`ALTER TABLE ${NOTIFICATION}.notifications RENAME COLUMN message_next TO message`)
          .catch(() => undefined);
      }
    }
    expect(await deadLetters()).toBe(0);
  });
});

describe('environmental SQLSTATEs raised inside the consumer transaction', () => {
  beforeAll(async () => {
    // A sequence survives the rollback of the failing transaction: it counts the injected faults.
    // Made by inventory-service's role in its schema: the trigger runs in its transactions, with its rights.
    await session.query(`
      SET ROLE ${SERVICE_DATA.inventory.role};
      CREATE SEQUENCE ${INVENTORY}.fault_seq;
      CREATE TABLE ${INVENTORY}.fault_plan (code text NOT NULL, until bigint NOT NULL);
      CREATE FUNCTION ${INVENTORY}.inject_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE planned text;
      BEGIN
        SELECT code INTO planned FROM ${INVENTORY}.fault_plan WHERE nextval('${INVENTORY}.fault_seq') <= until;
        IF planned IS NOT NULL THEN RAISE EXCEPTION 'injected %', planned USING ERRCODE = planned; END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER inject_fault BEFORE INSERT ON ${INVENTORY}.reservations
        FOR EACH STATEMENT EXECUTE FUNCTION ${INVENTORY}.inject_fault();
      RESET ROLE;`);
  });

  afterAll(async () => {
    await session.query(`DROP TRIGGER inject_fault ON ${INVENTORY}.reservations`);
  });

  // serialization_failure, lock_not_available, io_error, idle-in-transaction timeout, too many connections
  it.each(['40001', '55P03', '58030', '25P03', '53300'])(
    '%s is retried, never dead-lettered',
    async (code) => {
      const before = await retries('inventory', { reason: 'environment' });
      // Five failures in a row: past the three attempts after which a batch is split.
      await session.query(`TRUNCATE ${INVENTORY}.fault_plan`);
      await session.query(
        `INSERT INTO ${INVENTORY}.fault_plan SELECT $1, last_value + 5 FROM ${INVENTORY}.fault_seq`,
        [code],
      );
      const ids = await placeOrders(3, ['Phone']);
      await waitUntilFinal(ids);
      expect(await retries('inventory', { reason: 'environment' })).toBeGreaterThanOrEqual(before + 5);
      expect(await deadLetters()).toBe(0);
    },
  );
});

describe('afterwards', () => {
  it('every accepted order is final with one decision and one notification, and stock adds up', async () => {
    await waitUntilFinal(accepted);
    expect(checkInvariants(await readFacts(pipeline.env.DATABASE_URL ?? ''), SEED, accepted)).toEqual([]);
    expect(await deadLetters()).toBe(0);
  });
});

describe('a genuinely poison event beside good ones', () => {
  it('is dead-lettered with its SQLSTATE, and the others are applied', async () => {
    // A data rule the event can never pass: the one failure that is the event's own.
    await session.query(
      `ALTER TABLE ${INVENTORY}.reservations ADD CONSTRAINT no_cursed_items CHECK (item <> 'Cursed')`,
    );
    // Two poison events among good ones: fetched alone, together or with the others, each goes.
    const ids = await placeOrders(5, ['Laptop', 'Cursed', 'Phone']);
    const cursed = [ids[1], ids[4]];
    await waitUntilFinal(ids.filter((id) => !cursed.includes(id)));
    const dlt = deadLetterTopic(pipeline.topics.orderEvents);
    const letters = await waitFor(
      async () =>
        (
          await Promise.all([0, 1, 2].map((partition) => admin.readMessages(dlt, { partition, limit: 10 })))
        ).flat(),
      { until: (l) => l.length >= 2, timeoutMs: 30_000, message: 'the poison events dead-lettered' },
    );
    expect(letters.map((l) => l.key).sort()).toEqual([...cursed].sort());
    for (const letter of letters) {
      expect(letter.headers[HEADERS.dlqError]).toMatch(/no_cursed_items.*SQLSTATE 23514/);
    }
    expect(await deadLetters()).toBe(2);
    const facts = await readFacts(pipeline.env.DATABASE_URL ?? '');
    expect(facts.orders.filter((o) => cursed.includes(o.id)).map((o) => o.status)).toEqual([
      'PENDING',
      'PENDING',
    ]);
  });
});
