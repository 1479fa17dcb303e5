import { VIEWS } from '@kafka-poc/contracts';
import pg from 'pg';

export interface StoredOrder {
  id: string;
  item: string;
  quantity: number;
  status: string;
  idempotency_key: string | null;
}

/** What the three services stored, read straight from Postgres (no service API). */
export interface PipelineFacts {
  orders: StoredOrder[];
  reservations: { order_id: string; status: string; quantity: number; item: string }[];
  notifications: { order_id: string; status: string; delivery_status: string }[];
  stock: Map<string, number>;
  /** Rows per order key of each outbox (more than one = a duplicated event row), and unsent rows. */
  outbox: {
    orderEventsPerKey: Map<string, number>;
    decisionEventsPerKey: Map<string, number>;
    unsent: { order: number; inventory: number };
  };
  /** Event ids each consumer group's inbox holds (= the events it applied). */
  inbox: { inventory: Set<string>; order: Set<string>; notification: Set<string> };
}

export async function readFacts(databaseUrl: string): Promise<PipelineFacts> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  const rows = async <T extends pg.QueryResultRow>(sql: string) => (await client.query<T>(sql)).rows;
  try {
    const perKey = async (table: string) =>
      new Map(
        (
          await rows<{ key: string; n: number }>(`SELECT key, count(*)::int AS n FROM ${table} GROUP BY key`)
        ).map((r) => [r.key, r.n]),
      );
    const ids = async (table: string) =>
      new Set((await rows<{ id: string }>(`SELECT event_id::text AS id FROM ${table}`)).map((r) => r.id));
    const [unsent] = await rows<{ order: number; inventory: number }>(
      `SELECT (SELECT count(*)::int FROM ${VIEWS.orderOutbox} WHERE sent_at IS NULL) AS "order",
              (SELECT count(*)::int FROM ${VIEWS.inventoryOutbox} WHERE sent_at IS NULL) AS inventory`,
    );
    return {
      orders: await rows<StoredOrder>(
        `SELECT id, item, quantity, status, idempotency_key FROM ${VIEWS.orders}`,
      ),
      reservations: await rows(`SELECT order_id, status, quantity, item FROM ${VIEWS.reservations}`),
      notifications: await rows(`SELECT order_id, status, delivery_status FROM ${VIEWS.notifications}`),
      stock: new Map(
        (await rows<{ item: string; stock: number }>(`SELECT item, stock FROM ${VIEWS.stock}`)).map((r) => [
          r.item,
          r.stock,
        ]),
      ),
      outbox: {
        orderEventsPerKey: await perKey(VIEWS.orderOutbox),
        decisionEventsPerKey: await perKey(VIEWS.inventoryOutbox),
        unsent: unsent ?? { order: 0, inventory: 0 },
      },
      inbox: {
        inventory: await ids(VIEWS.inventoryInbox),
        order: await ids(VIEWS.orderInbox),
        notification: await ids(VIEWS.notificationInbox),
      },
    };
  } finally {
    await client.end();
  }
}
