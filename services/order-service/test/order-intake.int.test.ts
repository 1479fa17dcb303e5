import { fileURLToPath } from 'node:url';
import { SERVICE_DATA } from '@kafka-poc/contracts';
import { createDatabase, createPool, type Pool, runMigrations } from '@kafka-poc/db';
import { roleDatabaseUrl } from '@kafka-poc/local-stack';
import { createTestDatabase } from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderIntake } from '../src/orders/order-intake.ts';
import type { NewOrder } from '../src/orders/order-repository.ts';

// Two intake statements that run at once and hold the same Idempotency-Keys in opposite orders, on a
// slow database (each row insert sleeps): written in arrival order they deadlock (one batch fails,
// and its orders with it); written in key order they wait for each other and both succeed.

let pool: Pool;
let intake: OrderIntake;
const retries: unknown[] = [];

beforeAll(async () => {
  const { role, schema } = SERVICE_DATA.order;
  pool = createPool(
    {
      url: roleDatabaseUrl(await createTestDatabase('intake'), role),
      max: 4,
      connectionTimeoutMs: 5000,
      statementTimeoutMs: 30_000,
      applicationName: 'intake-test',
      searchPath: schema,
    },
    () => undefined,
  );
  await runMigrations(pool, {
    migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
    schema,
  });
  await pool.query(`CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN PERFORM pg_sleep(0.2); RETURN NEW; END $$`);
  await pool.query(
    'CREATE TRIGGER slow_insert BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION slow_insert()',
  );
  intake = new OrderIntake({
    db: createDatabase(pool),
    orderEventsTopic: 'order-events',
    maxBatchSize: 3,
    maxInFlight: 2,
    onRetry: (error) => retries.push(error),
  });
});

afterAll(async () => {
  await intake?.stop();
  await pool?.end();
});

const order = (key: string | undefined, caller?: string): NewOrder => ({
  input: { item: 'Laptop', quantity: 1 },
  idempotencyKey: key,
  caller,
  trace: { correlationId: crypto.randomUUID() },
});

describe('crossing Idempotency-Keys in concurrent batches', () => {
  it('never deadlocks: both batches succeed, one order per key', async () => {
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    // Submitted in one turn: the first batch is [a, -, b], the second [b, -, a], both in flight at once.
    const outcomes = await Promise.allSettled(
      [order(a), order(undefined), order(b), order(b), order(undefined), order(a)].map((o) =>
        intake.create(o),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const results = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    expect(results[5]?.order.id).toBe(results[0]?.order.id);
    expect(results[3]?.order.id).toBe(results[2]?.order.id);
    // Either batch may reach a key first: per key, one request created the order, the other replays it.
    const replayed = results.map((r) => r.replayed);
    expect([replayed[0], replayed[5]].sort()).toEqual([false, true]);
    expect([replayed[2], replayed[3]].sort()).toEqual([false, true]);
    expect([replayed[1], replayed[4]]).toEqual([false, false]);
    expect(retries).toEqual([]);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM orders');
    expect(rows[0].n).toBe(4);
  });
});
