import { TOPICS, VIEWS } from '@kafka-poc/contracts';
import type { Hop, Timeline } from '../shared/views.ts';
import type { ReadOnlyDb } from './read-only-db.ts';

/** One row: the order and, per hop, what each service recorded (nulls for hops not reached yet). */
export interface TimelineRow {
  id: string;
  item: string;
  quantity: number;
  status: string;
  reason: string | null;
  created_at: Date;
  updated_at: Date;
  order_event_sent_at: Date | null;
  inventory_processed_at: Date | null;
  inventory_topic: string | null;
  inventory_partition: number | null;
  inventory_offset: string | null;
  reservation_status: string | null;
  reservation_reason: string | null;
  reservation_at: Date | null;
  decision_event_type: string | null;
  decision_sent_at: Date | null;
  order_processed_at: Date | null;
  order_topic: string | null;
  order_partition: number | null;
  order_offset: string | null;
  notification_processed_at: Date | null;
  notification_status: string | null;
  delivery_status: string | null;
  delivery_attempts: number | null;
  last_error: string | null;
  notification_at: Date | null;
  delivered_at: Date | null;
}

/**
 * The order and each hop of its way through the services, in one snapshot, from the views the
 * services publish (never their tables). Events are linked by their ids: the event id of an outbox
 * row is the inbox key of the consumer that processed it.
 */
const TIMELINE_SQL = `
SELECT o.id, o.item, o.quantity, o.status, o.reason, o.created_at, o.updated_at,
       oo.sent_at AS order_event_sent_at,
       ii.processed_at AS inventory_processed_at, ii.topic AS inventory_topic,
       ii.partition AS inventory_partition, ii.offset::text AS inventory_offset,
       r.status AS reservation_status, r.reason AS reservation_reason, r.created_at AS reservation_at,
       io.event_type AS decision_event_type, io.sent_at AS decision_sent_at,
       oi.processed_at AS order_processed_at, oi.topic AS order_topic,
       oi.partition AS order_partition, oi.offset::text AS order_offset,
       ni.processed_at AS notification_processed_at,
       n.status AS notification_status, n.delivery_status, n.delivery_attempts, n.last_error,
       n.created_at AS notification_at, n.delivered_at
  FROM ${VIEWS.orders} o
  LEFT JOIN LATERAL (
    SELECT event_id, sent_at FROM ${VIEWS.orderOutbox} WHERE key = o.id::text ORDER BY seq LIMIT 1) oo ON true
  LEFT JOIN ${VIEWS.inventoryInbox} ii ON ii.event_id = oo.event_id
  LEFT JOIN ${VIEWS.reservations} r ON r.order_id = o.id
  LEFT JOIN LATERAL (
    SELECT event_id, event_type, sent_at FROM ${VIEWS.inventoryOutbox}
     WHERE key = o.id::text ORDER BY seq LIMIT 1) io ON true
  LEFT JOIN ${VIEWS.orderInbox} oi ON oi.event_id = io.event_id
  LEFT JOIN ${VIEWS.notificationInbox} ni ON ni.event_id = io.event_id
  LEFT JOIN ${VIEWS.notifications} n ON n.order_id = o.id
 WHERE o.id = $1`;

export async function readTimelineRow(db: ReadOnlyDb, orderId: string): Promise<TimelineRow | undefined> {
  const result = await db.query<TimelineRow>(TIMELINE_SQL, [orderId]);
  return result.rows[0];
}

/** Turns the snapshot into hops in the order the system performs them. */
export function buildTimeline(row: TimelineRow): Timeline {
  const where = (topic: string | null, partition: number | null, offset: string | null) =>
    topic === null ? '' : ` (${topic} p${partition} @${offset})`;
  const decided = row.reservation_status ?? row.decision_event_type?.split('.')[1]?.toUpperCase() ?? null;
  const steps: Omit<Hop, 'sinceAcceptedMs' | 'sincePreviousMs'>[] = [
    {
      step: 'accepted',
      service: 'order-service',
      at: iso(row.created_at),
      detail: `POST /orders: ${row.quantity} × ${row.item}, order.created written to the outbox`,
    },
    {
      step: TOPICS.orderEvents,
      service: 'order-service relay',
      at: iso(row.order_event_sent_at),
      detail: 'order.created published (time: when the relay marked the outbox row sent, after acks=all)',
    },
    {
      step: 'inventory decision',
      service: 'inventory-service',
      at: iso(row.inventory_processed_at ?? row.reservation_at),
      detail: decided
        ? `${decided}${row.reservation_reason ? `: ${row.reservation_reason}` : ''}${where(row.inventory_topic, row.inventory_partition, row.inventory_offset)}`
        : 'waiting for inventory-service',
    },
    {
      step: TOPICS.inventoryEvents,
      service: 'inventory-service relay',
      at: iso(row.decision_sent_at),
      detail: row.decision_event_type
        ? `${row.decision_event_type} published (time: outbox row marked sent)`
        : 'not published yet',
    },
    {
      step: 'status change',
      service: 'order-service',
      at: iso(row.order_processed_at ?? (row.status === 'PENDING' ? null : row.updated_at)),
      detail:
        row.status === 'PENDING'
          ? 'still PENDING'
          : `PENDING → ${row.status}${where(row.order_topic, row.order_partition, row.order_offset)}`,
    },
    {
      step: 'notification',
      service: 'notification-service',
      at: iso(row.notification_processed_at ?? row.notification_at),
      detail: row.notification_status ? `stored: order ${row.notification_status}` : 'not stored yet',
    },
    {
      step: 'delivered',
      service: 'notification-service',
      at: iso(row.delivered_at),
      detail: row.delivery_status
        ? `${row.delivery_status} after ${row.delivery_attempts ?? 0} attempt(s)${row.last_error ? `: ${row.last_error}` : ''}`
        : 'not delivered yet',
    },
  ];
  const accepted = row.created_at.getTime();
  let previous = accepted;
  let last = accepted;
  const hops = steps.map((s): Hop => {
    if (s.at === null) return { ...s, sinceAcceptedMs: null, sincePreviousMs: null };
    const t = Date.parse(s.at);
    // A relay marks its row sent after the broker's ack, so a consumer can record the next hop a
    // little earlier than that: such overlaps show as 0, never as negative time.
    const hop = { ...s, sinceAcceptedMs: t - accepted, sincePreviousMs: Math.max(0, t - previous) };
    previous = t;
    last = Math.max(last, t);
    return hop;
  });
  return {
    order: {
      id: row.id,
      item: row.item,
      quantity: row.quantity,
      status: row.status,
      reason: row.reason,
      createdAt: row.created_at.toISOString(),
    },
    hops,
    elapsedMs: last - accepted,
    complete: hops.every((h) => h.at !== null),
  };
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
