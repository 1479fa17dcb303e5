import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ALL_SERVICE_DATA,
  CONSOLE_DB_ROLE,
  SERVICE_DATA,
  type ServiceData,
  VIEWS,
} from '@kafka-poc/contracts';
import { migrationsFolder as inventoryMigrations } from '@kafka-poc/inventory-service';
import { roleDatabaseUrl, setUpLocalDatabase } from '@kafka-poc/local-stack';
import { migrationsFolder as notificationMigrations } from '@kafka-poc/notification-service';
import { migrationsFolder as orderMigrations } from '@kafka-poc/order-service';
import { testDatabaseAdminUrl, uniqueName, waitFor } from '@kafka-poc/testing';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { TestPipeline } from '../support/pipeline.ts';

// Each service owns its data: its role writes (and reads) only its own schema, everyone reads the
// views it publishes, the administrator's psql still answers the original demo, and a database of
// the older layout (every table in `public`) is upgraded with its data.

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function sqlState(url: string, statement: string): Promise<string> {
  return withClient(url, (client) =>
    client.query(statement).then(
      () => 'ok',
      (error: { code?: string }) => error.code ?? 'error',
    ),
  );
}

async function placeAndFinish(pipeline: TestPipeline, item: string, quantity: number) {
  const created = await request('POST', `${pipeline.url('order')}/orders`, { item, quantity });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return waitFor(
    async () => {
      const { body } = await request('GET', `${pipeline.url('order')}/orders/${created.body.id}`);
      return body.status === 'PENDING' ? undefined : body;
    },
    { timeoutMs: 20_000, intervalMs: 50, message: `order ${created.body.id} final` },
  );
}

describe('data ownership', () => {
  let pipeline: TestPipeline;

  beforeAll(async () => {
    pipeline = await TestPipeline.create({ seed: 'Laptop=10' });
    await pipeline.startAll();
    await placeAndFinish(pipeline, 'Laptop', 1);
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it("refuses every service's role any read or write of another service's tables", async () => {
    const attempts: string[] = [];
    for (const actor of ALL_SERVICE_DATA) {
      const url = roleDatabaseUrl(pipeline.databaseUrl, actor.role);
      for (const owner of ALL_SERVICE_DATA.filter((o) => o !== actor)) {
        for (const table of owner.tables) {
          const qualified = `${owner.schema}.${table}`;
          for (const statement of [`SELECT * FROM ${qualified} LIMIT 1`, `DELETE FROM ${qualified}`]) {
            attempts.push(`${actor.role}: ${statement} → ${await sqlState(url, statement)}`);
          }
        }
      }
    }
    // 42501: insufficient_privilege (no USAGE on the other service's schema).
    expect(attempts.filter((a) => !a.endsWith('→ 42501'))).toEqual([]);
    expect(attempts.length).toBeGreaterThan(20);
  });

  it('lets every role read the published views, and none write through them', async () => {
    const console = roleDatabaseUrl(pipeline.databaseUrl, CONSOLE_DB_ROLE);
    const inventory = roleDatabaseUrl(pipeline.databaseUrl, 'inventory_service');
    for (const view of Object.values(VIEWS)) {
      expect(await sqlState(console, `SELECT * FROM ${view} LIMIT 1`), view).toBe('ok');
    }
    const [order] = await withClient(
      console,
      async (c) => (await c.query(`SELECT * FROM ${VIEWS.orders}`)).rows,
    );
    expect(order).toMatchObject({ item: 'Laptop', quantity: 1, status: 'CONFIRMED' });
    expect(await sqlState(inventory, `UPDATE ${VIEWS.orders} SET status = 'REJECTED'`)).toBe('42501');
    expect(await sqlState(console, `DELETE FROM ${VIEWS.stock}`)).toBe('42501');
    expect(await sqlState(console, `SELECT * FROM order_service.orders`)).toBe('42501');
  });

  it('lets each role write its own tables (and nothing in public)', async () => {
    const own = roleDatabaseUrl(pipeline.databaseUrl, 'inventory_service');
    expect(await sqlState(own, `UPDATE inventory SET stock = stock WHERE item = 'Laptop'`)).toBe('ok');
    expect(await sqlState(own, 'CREATE TABLE public.sneaky (id int)')).toBe('42501');
  });

  it('answers the original psql demo for the administrator', async () => {
    const counts = await withClient(pipeline.databaseUrl, async (client) => ({
      orders: (await client.query('SELECT * FROM orders')).rowCount,
      inventory: (await client.query('SELECT * FROM inventory')).rowCount,
      notifications: (await client.query('SELECT * FROM notifications')).rowCount,
    }));
    expect(counts).toEqual({ orders: 1, inventory: 1, notifications: 1 });
  });
});

/** The migrations a service had before its published views: the older layout's last state. */
async function legacyMigrations(folder: string, dir: string): Promise<string> {
  const target = join(dir, folder.split('/').at(-2) ?? 'service');
  await cp(folder, target, { recursive: true });
  const journalFile = join(target, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const views = journal.entries.findIndex((e) => e.tag.endsWith('_api_views'));
  journal.entries = journal.entries.slice(0, views);
  await writeFile(journalFile, JSON.stringify(journal));
  return target;
}

/** A database as the services left it before schemas per service: every table in `public`, as `app`. */
async function createLegacyDatabase(): Promise<string> {
  const name = uniqueName('legacy');
  await withClient(testDatabaseAdminUrl(), (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(testDatabaseAdminUrl());
  url.pathname = `/${name}`;
  const dir = await mkdtemp(join(tmpdir(), 'legacy-migrations-'));
  try {
    await withClient(url.toString(), async (client) => {
      const folders: [ServiceData, string][] = [
        [SERVICE_DATA.order, orderMigrations],
        [SERVICE_DATA.inventory, inventoryMigrations],
        [SERVICE_DATA.notification, notificationMigrations],
      ];
      for (const [data, folder] of folders) {
        await migrate(drizzle(client), {
          migrationsFolder: await legacyMigrations(folder, dir),
          migrationsTable: `__migrations_${data.schema}`,
        });
      }
      // What the old services had stored: a decided order, its reservation, stock, a notification.
      await client.query(`
        INSERT INTO public.orders (id, item, quantity, status, created_at, updated_at)
          VALUES ('00000000-0000-4000-8000-000000000001', 'Laptop', 3, 'CONFIRMED', now(), now());
        INSERT INTO public.inventory (item, stock) VALUES ('Laptop', 7);
        INSERT INTO public.reservations (order_id, item, quantity, status)
          VALUES ('00000000-0000-4000-8000-000000000001', 'Laptop', 3, 'RESERVED');
        INSERT INTO public.notifications (id, order_id, status, message, delivery_status)
          VALUES ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001',
                  'CONFIRMED', 'Order confirmed', 'SENT');`);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return url.toString();
}

describe('a database of the older layout', () => {
  let pipeline: TestPipeline | undefined;

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('is upgraded by the database setup: tables moved with their data, migrations continued', async () => {
    const url = await createLegacyDatabase();
    await setUpLocalDatabase(url);
    await setUpLocalDatabase(url); // idempotent
    const layout = await withClient(url, async (client) => ({
      publicTables: (await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows,
      drizzle: (await client.query(`SELECT to_regnamespace('drizzle') AS oid`)).rows[0]?.oid,
      owners: (
        await client.query<{ t: string }>(
          `SELECT schemaname || '.' || tablename || ':' || tableowner AS t FROM pg_tables
            WHERE schemaname IN ('order_service', 'inventory_service', 'notification_service') ORDER BY 1`,
        )
      ).rows.map((r) => r.t),
      notify: (
        await client.query(
          `SELECT pronamespace::regnamespace::text AS schema FROM pg_proc WHERE proname = 'order_outbox_notify'`,
        )
      ).rows,
    }));
    expect(layout.publicTables).toEqual([]);
    expect(layout.drizzle).toBeNull();
    expect(layout.owners).toContain('order_service.orders:order_service');
    expect(layout.owners).toContain('order_service.__drizzle_migrations:order_service');
    expect(layout.owners).toContain('inventory_service.reservations:inventory_service');
    expect(layout.notify).toEqual([{ schema: 'order_service' }]);

    pipeline = await TestPipeline.create({ seed: 'Laptop=50', env: { DATABASE_URL: url } });
    await pipeline.startAll();
    const kept = await request('GET', `${pipeline.url('order')}/orders/00000000-0000-4000-8000-000000000001`);
    expect(kept.body).toMatchObject({ status: 'CONFIRMED', quantity: 3 });
    // The seed only creates items that do not exist: the stock the old layout had is kept.
    expect((await request('GET', `${pipeline.url('inventory')}/inventory/Laptop`)).body).toMatchObject({
      stock: 7,
    });
    const order = await placeAndFinish(pipeline, 'Laptop', 2);
    expect(order).toMatchObject({ status: 'CONFIRMED' });
    const notified = await waitFor(
      () =>
        withClient(url, async (c) =>
          (await c.query(`SELECT order_id FROM ${VIEWS.notifications} ORDER BY created_at`)).rows.map(
            (r) => r.order_id,
          ),
        ),
      { until: (ids) => ids.length === 2, message: 'both notifications in the published view' },
    );
    expect(notified).toEqual(['00000000-0000-4000-8000-000000000001', order.id]);
  });
});
