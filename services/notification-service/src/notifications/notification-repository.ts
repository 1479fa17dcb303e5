import type { InventoryEvent, NotificationResponse } from '@kafka-poc/contracts';
import type { Database, Transaction } from '@kafka-poc/db';
import { and, desc, eq } from 'drizzle-orm';
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
  const rows = await tx
    .insert(notifications)
    .values(events.map((event) => ({ id: notificationId(event.payload.orderId), ...notificationFor(event) })))
    .onConflictDoNothing()
    .returning({ id: notifications.id });
  return rows.map((r) => r.id);
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
