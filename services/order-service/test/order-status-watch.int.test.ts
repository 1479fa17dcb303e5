import { fileURLToPath } from 'node:url';
import { type OrderResponse, SERVICE_DATA } from '@kafka-poc/contracts';
import { createDatabase, createPool, type Database, type Pool, runMigrations } from '@kafka-poc/db';
import { roleDatabaseUrl } from '@kafka-poc/local-stack';
import { createLogger } from '@kafka-poc/service-kit';
import { createTestDatabase, waitFor } from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrders } from '../src/orders/order-repository.ts';
import { OrderStatusWatch } from '../src/orders/order-status-watch.ts';

// Thousands of clients waiting for their orders on one instance, on real Postgres: one LISTEN
// connection, a map of watchers, one query per wake-up for all the changed orders that are watched
// (never one per client), and nothing lost while the listening connection is gone.

const WAITERS = 3000;
let url: string;
let pool: Pool;
let db: Database;
let watch: OrderStatusWatch;
let reads = 0;
let readRows = 0;

beforeAll(async () => {
  // As in production: order-service's role, its own schema.
  const { role, schema } = SERVICE_DATA.order;
  url = roleDatabaseUrl(await createTestDatabase('watch'), role);
  pool = createPool(
    {
      url,
      max: 4,
      connectionTimeoutMs: 5000,
      statementTimeoutMs: 30_000,
      applicationName: 'watch-test',
      searchPath: schema,
    },
    () => undefined,
  );
  db = createDatabase(pool);
  await runMigrations(pool, {
    migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
    schema,
  });
  watch = new OrderStatusWatch({
    url,
    logger: createLogger({ service: 'test', instance: 'test', level: 'silent', pretty: false }),
    maxWatchers: WAITERS + 10,
    readOrders: async (ids) => {
      reads++;
      readRows += ids.length;
      return getOrders(db, ids);
    },
  });
  watch.start();
  await waitFor(() => watch.connected, { until: Boolean, message: 'listening' });
});

afterAll(async () => {
  await watch?.stop();
  await pool?.end();
});

async function insertPending(count: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO orders (id, item, quantity, status)
     SELECT gen_random_uuid(), 'Laptop', 1, 'PENDING' FROM generate_series(1, $1) RETURNING id`,
    [count],
  );
  return rows.map((r) => r.id);
}

function decided(id: string): { promise: Promise<OrderResponse>; unsubscribe: () => void } {
  let unsubscribe: () => void = () => undefined;
  const promise = new Promise<OrderResponse>((resolve) => {
    unsubscribe = watch.subscribe(id, (order) => {
      if (order.status !== 'PENDING') resolve(order);
    });
  });
  return { promise, unsubscribe };
}

describe('order status watch', () => {
  it(`wakes ${WAITERS} waiters with a few queries, not one per waiter`, async () => {
    const ids = await insertPending(WAITERS);
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const waiters = ids.map(decided);
    const heapAfter = process.memoryUsage().heapUsed;
    expect(watch.watching).toBe(WAITERS);
    reads = 0;
    readRows = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    // Decided the way the consumer decides: a few statements of 500 orders.
    for (let i = 0; i < ids.length; i += 500) {
      await pool.query(
        `UPDATE orders SET status = 'CONFIRMED', updated_at = now() WHERE id = ANY($1::uuid[])`,
        [ids.slice(i, i + 500)],
      );
    }
    const orders = await Promise.all(waiters.map((w) => w.promise));
    const elapsedMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    for (const w of waiters) w.unsubscribe();
    expect(orders.every((o) => o.status === 'CONFIRMED')).toBe(true);
    expect(watch.watching).toBe(0);
    // One read per wake-up batch (up to 1000 orders each), however many clients wait.
    expect(readRows).toBe(WAITERS);
    expect(reads).toBeLessThanOrEqual(Math.ceil(WAITERS / 500) * 2);
    console.log(
      `[order-status-watch] ${WAITERS} waiters: ~${Math.round((heapAfter - heapBefore) / WAITERS)} B heap each; ` +
        `all woken ${Math.round(elapsedMs)} ms after the first of ${WAITERS / 500} UPDATE statements, ` +
        `${reads} queries for ${readRows} orders, CPU ${Math.round((used.user + used.system) / 1000)} ms`,
    );
  });

  it('misses no change made while its connection was gone: every watched order is read again after it reconnects', async () => {
    const [id] = await insertPending(1);
    const waiter = decided(id as string);
    // Cut the listening connection, and change the order while nobody listens.
    await pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'order-status-watch'`,
    );
    await pool.query(`UPDATE orders SET status = 'REJECTED', reason = 'x' WHERE id = $1`, [id]);
    const order = await waiter.promise;
    waiter.unsubscribe();
    expect(order.status).toBe('REJECTED');
    await waitFor(() => watch.connected, { until: Boolean, message: 'listening again' });
  });

  it('refuses more watchers than it may hold, and takes them again once some leave', () => {
    const small = new OrderStatusWatch({
      url,
      logger: createLogger({ service: 'test', instance: 'test', level: 'silent', pretty: false }),
      maxWatchers: 2,
      readOrders: async () => [],
    });
    const a = small.subscribe('a', () => undefined);
    small.subscribe('b', () => undefined);
    expect(() => small.subscribe('c', () => undefined)).toThrow(/too many clients/);
    a();
    a();
    expect(small.watching).toBe(1);
    expect(() => small.subscribe('c', () => undefined)).not.toThrow();
  });
});
