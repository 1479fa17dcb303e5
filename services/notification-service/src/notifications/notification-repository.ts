import type { InventoryEvent, NotificationResponse } from '@kafka-poc/contracts';
import type { Database, Transaction } from '@kafka-poc/db';
import { and, desc, eq, sql } from 'drizzle-orm';
import { notifications } from '../db/schema.ts';
import { notificationId } from './notification-id.ts';

type NotificationRow = typeof notifications.$inferSelect;

/** "Order <id> is CONFIRMED" / "Order <id> is REJECTED: <reason>" — the original's wording. */
export function notificationFor(event: InventoryEvent): {
  orderId: string;
  status: 'CONFIRMED' | 'REJECTED';
  message: string;
} {
  const { payload } = event;
  return payload.status === 'RESERVED'
    ? { orderId: payload.orderId, status: 'CONFIRMED', message: `Order ${payload.orderId} is CONFIRMED` }
    : {
        orderId: payload.orderId,
        status: 'REJECTED',
        message: `Order ${payload.orderId} is REJECTED: ${payload.reason}`,
      };
}

/** Stores one notification per order; an order that already has one keeps it (returns the new ones). */
export async function storeNotifications(tx: Transaction, events: InventoryEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const rows = events.map((event) => ({
    id: notificationId(event.payload.orderId),
    ...notificationFor(event),
  }));
  const column = <V>(pick: (r: (typeof rows)[number]) => V): V[] => rows.map(pick);
  const result = await tx.execute<{ id: string }>(sql`
    INSERT INTO ${notifications} (id, order_id, status, message)
    SELECT * FROM unnest(
      ${sql.param(column((r) => r.id))}::uuid[], ${sql.param(column((r) => r.orderId))}::uuid[],
      ${sql.param(column((r) => r.status))}::text[], ${sql.param(column((r) => r.message))}::text[])
    ON CONFLICT DO NOTHING
    RETURNING id`);
  return result.rows.map((r) => r.id);
}

export async function listNotifications(
  db: Database,
  query: { orderId?: string | undefined; limit: number },
): Promise<NotificationResponse[]> {
  const rows = await db
    .select()
    .from(notifications)
    .where(and(query.orderId ? eq(notifications.orderId, query.orderId) : undefined))
    .orderBy(desc(notifications.createdAt))
    .limit(query.limit);
  return rows.map(toResponse);
}

export function toResponse(row: NotificationRow): NotificationResponse {
  return {
    id: row.id,
    orderId: row.orderId,
    status: row.status,
    message: row.message,
    deliveryStatus: row.deliveryStatus,
    createdAt: row.createdAt.toISOString(),
  };
}
