/**
 * After a phase: wait until the pipeline has finished every order of the run (bulk counts, twice a
 * second), then read what the services stored for those orders, in chunks of ids — from the views
 * the services publish (VIEWS), never their tables.
 */
import { ALL_SERVICE_DATA, VIEWS } from '@kafka-poc/contracts';
import type { NotificationFact, OrderFact, ReservationFact, RunFacts } from './exactly-once.ts';
import { pgClient } from './pg-client.ts';

const CHUNK = 5000;

export interface DrainResult {
  drained: boolean;
  waitedMs: number;
  /** Why it stopped waiting, when not drained. */
  reason?: string;
}

/**
 * Waits until no order created since `sinceEpochMs` is PENDING and at least `expected` notifications
 * were stored since then. Gives up after `timeoutMs`, or when nothing moved for `stallMs` (a lost
 * order never completes; waiting longer would not help).
 */
export async function waitForDrain(args: {
  databaseUrl: string;
  sinceEpochMs: number;
  expected: number;
  timeoutMs: number;
  stallMs?: number;
  onProgress?: (pending: number, notified: number) => void;
}): Promise<DrainResult> {
  const client = pgClient(args.databaseUrl, 'bench-drain');
  await client.connect();
  const started = Date.now();
  const since = new Date(args.sinceEpochMs);
  let last = '';
  let lastChange = Date.now();
  let nextNote = Date.now() + 5000;
  try {
    for (;;) {
      const pending = Number(
        (
          await client.query<{ n: string }>(
            `SELECT count(*) AS n FROM ${VIEWS.orders} WHERE status = 'PENDING' AND created_at >= $1`,
            [since],
          )
        ).rows[0]?.n ?? 0,
      );
      let notified = -1;
      if (pending === 0) {
        notified = Number(
          (
            await client.query<{ n: string }>(
              `SELECT count(*) AS n FROM ${VIEWS.notifications} WHERE created_at >= $1`,
              [since],
            )
          ).rows[0]?.n ?? 0,
        );
        if (notified >= args.expected) return { drained: true, waitedMs: Date.now() - started };
      }
      const state = `${pending}/${notified}`;
      if (state !== last) {
        last = state;
        lastChange = Date.now();
      }
      if (Date.now() > nextNote) {
        args.onProgress?.(pending, notified);
        nextNote = Date.now() + 5000;
      }
      if (Date.now() - started > args.timeoutMs) {
        return {
          drained: false,
          waitedMs: Date.now() - started,
          reason: `not done after ${args.timeoutMs} ms`,
        };
      }
      if (Date.now() - lastChange > (args.stallMs ?? 30_000)) {
        return {
          drained: false,
          waitedMs: Date.now() - started,
          reason: `no progress for ${(args.stallMs ?? 30_000) / 1000} s (${pending} pending)`,
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await client.end();
  }
}

export async function readStock(databaseUrl: string): Promise<Map<string, number>> {
  const client = pgClient(databaseUrl);
  await client.connect();
  try {
    const { rows } = await client.query<{ item: string; stock: number }>(
      `SELECT item, stock FROM ${VIEWS.stock}`,
    );
    return new Map(rows.map((r) => [r.item, r.stock]));
  } finally {
    await client.end();
  }
}

/** What the services stored for `ids`, plus stock now and what was reserved since the bench began. */
export async function readRunFacts(args: {
  databaseUrl: string;
  ids: string[];
  stockBefore: Map<string, number>;
  sinceEpochMs: number;
}): Promise<RunFacts> {
  const client = pgClient(args.databaseUrl, 'bench-collect');
  await client.connect();
  try {
    const orders: OrderFact[] = [];
    const reservations: ReservationFact[] = [];
    const notifications: NotificationFact[] = [];
    for (let start = 0; start < args.ids.length; start += CHUNK) {
      const chunk = args.ids.slice(start, start + CHUNK);
      const o = await client.query<{
        id: string;
        item: string;
        quantity: number;
        status: string;
        created_at: Date;
        updated_at: Date;
      }>(
        `SELECT id, item, quantity, status, created_at, updated_at FROM ${VIEWS.orders} WHERE id = ANY($1::uuid[])`,
        [chunk],
      );
      for (const r of o.rows) {
        orders.push({
          id: r.id,
          item: r.item,
          quantity: r.quantity,
          status: r.status,
          createdAt: r.created_at.getTime(),
          updatedAt: r.updated_at.getTime(),
        });
      }
      const res = await client.query<{ order_id: string; item: string; quantity: number; status: string }>(
        `SELECT order_id, item, quantity, status FROM ${VIEWS.reservations} WHERE order_id = ANY($1::uuid[])`,
        [chunk],
      );
      for (const r of res.rows) {
        reservations.push({ orderId: r.order_id, item: r.item, quantity: r.quantity, status: r.status });
      }
      const n = await client.query<{
        order_id: string;
        status: string;
        created_at: Date;
        delivered_at: Date | null;
        delivery_status: string;
      }>(
        `SELECT order_id, status, created_at, delivered_at, delivery_status
           FROM ${VIEWS.notifications} WHERE order_id = ANY($1::uuid[])`,
        [chunk],
      );
      for (const r of n.rows) {
        notifications.push({
          orderId: r.order_id,
          status: r.status,
          createdAt: r.created_at.getTime(),
          deliveredAt: r.delivered_at?.getTime(),
          deliveryStatus: r.delivery_status,
        });
      }
    }
    const stock = await client.query<{ item: string; stock: number }>(
      `SELECT item, stock FROM ${VIEWS.stock}`,
    );
    const reserved = await client.query<{ item: string; total: string }>(
      `SELECT item, sum(quantity) AS total FROM ${VIEWS.reservations}
        WHERE status = 'RESERVED' AND created_at >= $1 GROUP BY item`,
      [new Date(args.sinceEpochMs)],
    );
    return {
      orders,
      reservations,
      notifications,
      stockBefore: args.stockBefore,
      stockAfter: new Map(stock.rows.map((r) => [r.item, r.stock])),
      reservedSince: new Map(reserved.rows.map((r) => [r.item, Number(r.total)])),
    };
  } finally {
    await client.end();
  }
}

/**
 * Before the final check: requests our side gave up on may still be processed by the server (and
 * move stock) after the last drain. Waits until no order since `sinceEpochMs` is PENDING and their
 * count is unchanged over 2 s (at most `timeoutMs`).
 */
export async function waitForQuiescence(databaseUrl: string, sinceEpochMs: number, timeoutMs = 60_000) {
  const client = pgClient(databaseUrl, 'bench-settle');
  await client.connect();
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  try {
    for (;;) {
      const { rows } = await client.query<{ n: string; pending: string }>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE status = 'PENDING') AS pending FROM ${VIEWS.orders} WHERE created_at >= $1`,
        [new Date(sinceEpochMs)],
      );
      const n = Number(rows[0]?.n ?? 0);
      if (Number(rows[0]?.pending ?? 0) === 0 && n === last) return true;
      last = n;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } finally {
    await client.end();
  }
}

/** Orders stored since the bench began (includes requests that timed out on our side but committed). */
export async function countOrdersSince(databaseUrl: string, sinceEpochMs: number): Promise<number> {
  const client = pgClient(databaseUrl);
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${VIEWS.orders} WHERE created_at >= $1`,
      [new Date(sinceEpochMs)],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** When each order passed the pipeline's intermediate stages (epoch ms), keyed by order id. */
export interface StageTimes {
  /** sent_at in order-service's outbox: the relay marked order.created published (after the broker's ack). */
  orderPublished: Map<string, number>;
  /** created_at of the reservation: inventory-service's batch transaction decided it. */
  decided: Map<string, number>;
  /** sent_at in inventory-service's outbox: the decision was published. */
  decisionPublished: Map<string, number>;
}

/** Reads the intermediate timestamps of every order since `sinceEpochMs` (outbox rows are kept 1 h). */
export async function readStageTimes(databaseUrl: string, sinceEpochMs: number): Promise<StageTimes> {
  const client = pgClient(databaseUrl, 'bench-collect');
  await client.connect();
  const since = new Date(sinceEpochMs);
  const toMap = (rows: { k: string; t: Date | null }[]) =>
    new Map(rows.filter((r) => r.t !== null).map((r) => [r.k, (r.t as Date).getTime()]));
  try {
    const a = await client.query<{ k: string; t: Date | null }>(
      // order.created only: an order's outbox also holds its status event (order.confirmed …).
      `SELECT key AS k, sent_at AS t FROM ${VIEWS.orderOutbox}
        WHERE created_at >= $1 AND key IS NOT NULL AND event_type = 'order.created'`,
      [since],
    );
    const b = await client.query<{ k: string; t: Date | null }>(
      `SELECT order_id::text AS k, created_at AS t FROM ${VIEWS.reservations} WHERE created_at >= $1`,
      [since],
    );
    const c = await client.query<{ k: string; t: Date | null }>(
      `SELECT key AS k, sent_at AS t FROM ${VIEWS.inventoryOutbox} WHERE created_at >= $1 AND key IS NOT NULL`,
      [since],
    );
    return { orderPublished: toMap(a.rows), decided: toMap(b.rows), decisionPublished: toMap(c.rows) };
  } finally {
    await client.end();
  }
}

export interface TableStat {
  table: string;
  live: number;
  dead: number;
  inserted: number;
  updated: number;
  hotUpdated: number;
  deleted: number;
  seqScans: number;
  indexScans: number;
  autovacuums: number;
}

/**
 * pg_stat_user_tables of the services' schemas (cumulative since the server started): churn, dead
 * rows, vacuums, scans. Postgres' own statistics, not the services' data.
 */
export async function readTableStats(databaseUrl: string): Promise<TableStat[]> {
  const client = pgClient(databaseUrl);
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, string>>(
      `SELECT relname, n_live_tup, n_dead_tup, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del,
              coalesce(seq_scan, 0) AS seq_scan, coalesce(idx_scan, 0) AS idx_scan, autovacuum_count
         FROM pg_stat_user_tables WHERE schemaname = ANY($1) ORDER BY relname`,
      [ALL_SERVICE_DATA.map((d) => d.schema)],
    );
    return rows.map((r) => ({
      table: r.relname ?? '',
      live: Number(r.n_live_tup),
      dead: Number(r.n_dead_tup),
      inserted: Number(r.n_tup_ins),
      updated: Number(r.n_tup_upd),
      hotUpdated: Number(r.n_tup_hot_upd),
      deleted: Number(r.n_tup_del),
      seqScans: Number(r.seq_scan),
      indexScans: Number(r.idx_scan),
      autovacuums: Number(r.autovacuum_count),
    }));
  } finally {
    await client.end();
  }
}
