import type { NotificationResponse, NotificationStatus, OrderEvent } from '@kafka-poc/contracts';
import type { Database, Transaction } from '@kafka-poc/db';
import { and, desc, eq, sql } from 'drizzle-orm';
import { notifications } from '../db/schema.ts';
import { notificationId } from './notification-id.ts';

type NotificationRow = typeof notifications.$inferSelect;

/**
 * The notification of a status an order reached, in the original's wording: "Order <id> is
 * CONFIRMED", "Order <id> is REJECTED: <reason>", "Order <id> is CANCELLED" (": <reason>" when the
 * client gave one), "Order <id> is EXPIRED: <reason>". undefined for order.created.
 */
export function notificationFor(
  event: OrderEvent,
): { orderId: string; status: NotificationStatus; message: string } | undefined {
  if (event.type === 'order.created') return undefined;
  const { payload } = event;
  const reason = 'reason' in payload && payload.reason ? `: ${payload.reason}` : '';
  return {
    orderId: payload.orderId,
    status: payload.status,
    message: `Order ${payload.orderId} is ${payload.status}${reason}`,
  };
}

/** The event a notification comes from, and where it was read (notifications.source_*). */
export interface SourcedEvent {
  event: OrderEvent;
  source: { topic: string; partition: number; offset: bigint };
}

/**
 * Stores one notification per (order, status); one already stored is kept (a replay, a redelivery
 * under a new event id, or the same status announced again). Each new one records its source event
 * (id, topic, partition, offset): a rebuild forgets only what it can replay. Returns the new ids.
 */
export async function storeNotifications(tx: Transaction, events: SourcedEvent[]): Promise<string[]> {
  const rows = events.flatMap(({ event, source }) => {
    const notification = notificationFor(event);
    return notification
      ? [{ id: notificationId(notification.orderId, notification.status), ...notification, event, source }]
      : [];
  });
  if (rows.length === 0) return [];
  const column = <V>(pick: (r: (typeof rows)[number]) => V): V[] => rows.map(pick);
  const result = await tx.execute<{ id: string }>(sql`
    INSERT INTO ${notifications}
      (id, order_id, status, message, source_event_id, source_topic, source_partition, source_offset)
    SELECT * FROM unnest(
      ${sql.param(column((r) => r.id))}::uuid[], ${sql.param(column((r) => r.orderId))}::uuid[],
      ${sql.param(column((r) => r.status))}::text[], ${sql.param(column((r) => r.message))}::text[],
      ${sql.param(column((r) => r.event.id))}::uuid[], ${sql.param(column((r) => r.source.topic))}::text[],
      ${sql.param(column((r) => r.source.partition))}::int[],
      ${sql.param(column((r) => r.source.offset.toString()))}::bigint[])
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
