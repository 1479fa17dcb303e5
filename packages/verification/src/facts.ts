import { VIEWS } from '@kafka-poc/contracts';
import type pg from 'pg';
import { type CheckerClient, type CheckerDbOptions, withConnection } from './db.ts';

export interface StoredOrder {
  id: string;
  item: string;
  quantity: number;
  status: string;
  idempotency_key: string | null;
}

export interface StoredReservation {
  order_id: string;
  /** RESERVED, REJECTED, RELEASED (held, then given back) or CLOSED (the order ended before any decision). */
  status: string;
  quantity: number;
  item: string;
  /** CANCELLED | EXPIRED for a RELEASED or CLOSED reservation. */
  release_cause: string | null;
}

/** Per item: the sums of its stock movements. */
export interface MovementSums {
  /** Σ on-hand deltas of every movement (opening stock, adjustments, PUTs). */
  onHand: number;
  /** Σ on-hand deltas of adjustments and PUTs only (what changed after the opening stock). */
  adjusted: number;
  /** Σ reserved deltas (reservations − releases). */
  reserved: number;
}

/** What the three services stored, read straight from Postgres (no service API). */
export interface PipelineFacts {
  orders: StoredOrder[];
  reservations: StoredReservation[];
  notifications: { order_id: string; status: string; delivery_status: string }[];
  /** Available stock per item (stock_v1's `stock`). */
  stock: Map<string, number>;
  /** On hand and reserved per item (stock_v2). */
  levels: Map<string, { onHand: number; reserved: number }>;
  /** Per item: its movements added up (stock_movements_v1). */
  movements: Map<string, MovementSums>;
  /** Per order: the movements that name it, kind (reservation | release) → count. */
  orderMovements: Map<string, Map<string, number>>;
  /**
   * Rows per order key and event type of each outbox (more than one of a type = a duplicated event
   * row; sent rows older than the outbox retention are gone), and unsent rows.
   */
  outbox: {
    orderEventsPerKey: Map<string, Map<string, number>>;
    inventoryEventsPerKey: Map<string, Map<string, number>>;
    unsent: { order: number; inventory: number };
  };
  /** Event ids each consumer group's inbox holds (= the events it applied). */
  inbox: { inventory: Set<string>; order: Set<string>; notification: Set<string> };
}

/**
 * Reads every fact on one connection. While Postgres is unreachable the whole read is retried on a
 * new connection (withConnection: backoff, bounded by `options.deadlineMs`).
 */
export async function readFacts(databaseUrl: string, options: CheckerDbOptions = {}): Promise<PipelineFacts> {
  return withConnection(databaseUrl, readAll, options);
}

async function readAll(client: CheckerClient): Promise<PipelineFacts> {
  const rows = async <T extends pg.QueryResultRow>(sql: string) => (await client.query<T>(sql)).rows;
  const perKey = async (table: string) =>
    nested(
      await rows<{ a: string; b: string; n: number }>(
        `SELECT key AS a, event_type AS b, count(*)::int AS n FROM ${table} GROUP BY 1, 2`,
      ),
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
    reservations: await rows(
      `SELECT order_id, status, quantity, item, release_cause FROM ${VIEWS.reservationsV2}`,
    ),
    notifications: await rows(`SELECT order_id, status, delivery_status FROM ${VIEWS.notifications}`),
    stock: new Map(
      (await rows<{ item: string; stock: number }>(`SELECT item, stock FROM ${VIEWS.stock}`)).map((r) => [
        r.item,
        r.stock,
      ]),
    ),
    levels: new Map(
      (
        await rows<{ item: string; on_hand: number; reserved: number }>(
          `SELECT item, on_hand, reserved FROM ${VIEWS.stockV2}`,
        )
      ).map((r) => [r.item, { onHand: r.on_hand, reserved: r.reserved }]),
    ),
    movements: new Map(
      (
        await rows<{ item: string; on_hand: string; adjusted: string | null; reserved: string }>(
          `SELECT item, sum(on_hand_delta) AS on_hand,
                  sum(on_hand_delta) FILTER (WHERE kind IN ('adjustment', 'set')) AS adjusted,
                  sum(reserved_delta) AS reserved
             FROM ${VIEWS.stockMovements} GROUP BY item`,
        )
      ).map((r) => [
        r.item,
        { onHand: Number(r.on_hand), adjusted: Number(r.adjusted ?? 0), reserved: Number(r.reserved) },
      ]),
    ),
    orderMovements: nested(
      await rows<{ a: string; b: string; n: number }>(
        `SELECT order_id AS a, kind AS b, count(*)::int AS n FROM ${VIEWS.stockMovements}
          WHERE order_id IS NOT NULL GROUP BY 1, 2`,
      ),
    ),
    outbox: {
      orderEventsPerKey: await perKey(VIEWS.orderOutbox),
      inventoryEventsPerKey: await perKey(VIEWS.inventoryOutbox),
      unsent: unsent ?? { order: 0, inventory: 0 },
    },
    inbox: {
      inventory: await ids(VIEWS.inventoryInbox),
      order: await ids(VIEWS.orderInbox),
      notification: await ids(VIEWS.notificationInbox),
    },
  };
}

function nested(rows: { a: string; b: string; n: number }[]): Map<string, Map<string, number>> {
  const result = new Map<string, Map<string, number>>();
  for (const { a, b, n } of rows) result.set(a, (result.get(a) ?? new Map<string, number>()).set(b, n));
  return result;
}
