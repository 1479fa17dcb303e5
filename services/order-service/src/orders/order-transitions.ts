import type { OrderStatus } from '@kafka-poc/contracts';
import type { Database, Transaction } from '@kafka-poc/db';
import { appendToOutbox, type OutboxMessage } from '@kafka-poc/outbox';
import { sql } from 'drizzle-orm';
import { orderOutbox } from '../db/schema.ts';
import { orderStatusMessage, type StatusChange } from './order-events.ts';
import type { OrderVisibility } from './visibility.ts';

// Every status change of an order is one conditional UPDATE (the status moves only from the
// statuses that allow it, so a late or replayed event can never move a final order) and, in the
// same transaction, the order-events announcing it. Writers of one order serialize on its row, so
// its events enter the outbox in the order of the changes (docs/architecture.md, "Ordering").

type ChangedRow = {
  id: string;
  item: string;
  quantity: number;
  status: Exclude<OrderStatus, 'PENDING'>;
  reason: string | null;
  created_at: string | Date;
  correlation_id: string | null;
};

function toChange(row: ChangedRow, extra: Partial<StatusChange> = {}): StatusChange {
  return {
    id: row.id,
    item: row.item,
    quantity: row.quantity,
    status: row.status,
    reason: row.reason,
    createdAt: new Date(row.created_at),
    correlationId: row.correlation_id,
    ...extra,
  };
}

export interface Decision {
  orderId: string;
  status: 'CONFIRMED' | 'REJECTED';
  reason: string | null;
  /** Trace of the inventory event that carried the decision. */
  traceparent?: string | undefined;
}

/**
 * Moves PENDING orders to their decided status in one statement for the whole batch and announces
 * each change. An order that is no longer PENDING (cancelled or expired meanwhile, or decided
 * before) is left alone: inventory-service releases a reservation it made for it on its own.
 * Returns the orders that changed.
 */
export async function applyDecisions(
  tx: Transaction,
  topic: string,
  decisions: Decision[],
): Promise<StatusChange[]> {
  if (decisions.length === 0) return [];
  const result = await tx.execute<ChangedRow>(sql`
    UPDATE orders AS o
    SET status = d.status, reason = d.reason, announced_status = d.status, updated_at = now()
    FROM unnest(${sql.param(decisions.map((d) => d.orderId))}::uuid[],
                ${sql.param(decisions.map((d) => d.status))}::text[],
                ${sql.param(decisions.map((d) => d.reason))}::text[]) AS d(id, status, reason)
    WHERE o.id = d.id AND o.status = 'PENDING'
    RETURNING o.id, o.item, o.quantity, o.status, o.reason, o.created_at, o.correlation_id`);
  const traces = new Map(decisions.map((d) => [d.orderId, d.traceparent]));
  const changes = result.rows.map((row) => toChange(row));
  await appendToOutbox(
    tx,
    orderOutbox,
    changes.map((c) => orderStatusMessage(topic, c, traces.get(c.id))),
  );
  return changes;
}

export type CancelOutcome =
  | { kind: 'cancelled'; change: StatusChange }
  | { kind: 'not-cancellable' }
  | { kind: 'not-found' };

/**
 * Cancels a PENDING or CONFIRMED order and announces it (order.cancelled; inventory-service
 * releases what it reserved). `cancelKey` is stored with the change, so a retry of this very
 * cancel recognises it. A CONFIRMED order that was never announced (decided before status events
 * existed) gets its order.confirmed first, so every state it reached is announced once. An order
 * the caller may not see (another owner's) is 'not-found', whatever its status, and is not locked.
 */
export async function cancelOrder(
  db: Database,
  topic: string,
  request: {
    orderId: string;
    reason: string | undefined;
    cancelKey: string;
    traceparent?: string | undefined;
    visibility: OrderVisibility;
  },
): Promise<CancelOutcome> {
  const visible = request.visibility.all ? sql`TRUE` : sql`owner = ${request.visibility.owner}`;
  return db.transaction(async (tx) => {
    const result = await tx.execute<
      ChangedRow & { previous_status: 'PENDING' | 'CONFIRMED'; previous_announced: string | null }
    >(sql`
      WITH old AS (
        SELECT id, status, announced_status FROM orders WHERE id = ${request.orderId} AND ${visible} FOR UPDATE)
      UPDATE orders AS o
      SET status = 'CANCELLED', reason = ${request.reason ?? null}, cancel_key = ${request.cancelKey},
          announced_status = 'CANCELLED', updated_at = now()
      FROM old
      WHERE o.id = old.id AND old.status IN ('PENDING', 'CONFIRMED')
      RETURNING o.id, o.item, o.quantity, o.status, o.reason, o.created_at, o.correlation_id,
                old.status AS previous_status, old.announced_status AS previous_announced`);
    const row = result.rows[0];
    if (!row) {
      const exists = await tx.execute(sql`SELECT 1 FROM orders WHERE id = ${request.orderId} AND ${visible}`);
      return { kind: exists.rows.length > 0 ? 'not-cancellable' : 'not-found' };
    }
    const change = toChange(row, { previousStatus: row.previous_status });
    const messages: OutboxMessage[] = [];
    if (row.previous_status === 'CONFIRMED' && row.previous_announced === null) {
      messages.push(orderStatusMessage(topic, { ...change, status: 'CONFIRMED', reason: null }));
    }
    messages.push(orderStatusMessage(topic, change, request.traceparent));
    await appendToOutbox(tx, orderOutbox, messages);
    return { kind: 'cancelled', change };
  });
}

/**
 * Expires PENDING orders older than `timeoutMs` by the database's clock, at most `limit` of them,
 * oldest first. Rows another instance is expiring (or a decision is updating) are skipped, not
 * waited for. The reason names the timeout. Returns the orders that expired.
 */
export async function expireDueOrders(
  db: Database,
  topic: string,
  options: { timeoutMs: number; limit: number; reason: string },
): Promise<StatusChange[]> {
  return db.transaction(async (tx) => {
    const result = await tx.execute<ChangedRow>(sql`
      WITH due AS (
        SELECT id FROM orders
        WHERE status = 'PENDING' AND created_at <= now() - ${options.timeoutMs}::double precision * interval '1 millisecond'
        ORDER BY created_at LIMIT ${options.limit}
        FOR UPDATE SKIP LOCKED)
      UPDATE orders AS o
      SET status = 'EXPIRED', reason = ${options.reason}, announced_status = 'EXPIRED', updated_at = now()
      FROM due WHERE o.id = due.id AND o.status = 'PENDING'
      RETURNING o.id, o.item, o.quantity, o.status, o.reason, o.created_at, o.correlation_id`);
    const changes = result.rows.map((row) => toChange(row));
    await appendToOutbox(
      tx,
      orderOutbox,
      changes.map((c) => orderStatusMessage(topic, c)),
    );
    return changes;
  });
}

/**
 * Announces decided orders no status event announced yet: orders decided by a release that did not
 * write status events (before this one, or still running beside it during the upgrade). Without
 * this, the first notification-service reading order-events would never notify them. Announcing
 * an order notification-service already notified from inventory-events is harmless: notifications
 * are unique per (order, status). Returns how many were announced.
 */
export async function announceUnannounced(db: Database, topic: string, limit: number): Promise<number> {
  return db.transaction(async (tx) => {
    const result = await tx.execute<ChangedRow>(sql`
      WITH due AS (
        SELECT id FROM orders
        WHERE status <> 'PENDING' AND announced_status IS NULL
        ORDER BY updated_at LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      UPDATE orders AS o SET announced_status = o.status
      FROM due WHERE o.id = due.id AND o.announced_status IS NULL
      RETURNING o.id, o.item, o.quantity, o.status, o.reason, o.created_at, o.correlation_id`);
    await appendToOutbox(
      tx,
      orderOutbox,
      result.rows.map((row) => orderStatusMessage(topic, toChange(row))),
    );
    return result.rows.length;
  });
}
