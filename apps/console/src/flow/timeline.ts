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
  /** order.confirmed / order.rejected written by order-service (null: no decision applied). */
  status_event_type?: string | null;
  /** The cancel or expiry: order.cancelled / order.expired, when written and when published. */
  closing_event_type?: string | null;
  closing_at?: Date | null;
  closing_sent_at?: Date | null;
  closing_previous_status?: string | null;
  /** inventory-service's side of it: the reservation given back (RELEASED), or closed undecided (CLOSED). */
  released_at?: Date | null;
  /** When inventory-service processed the order.cancelled / order.expired event. */
  closing_inventory_at?: Date | null;
  release_event_sent_at?: Date | null;
  closing_notification_at?: Date | null;
  closing_delivery_status?: string | null;
  closing_delivery_attempts?: number | null;
  closing_last_error?: string | null;
  closing_delivered_at?: Date | null;
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
       n.created_at AS notification_at, n.delivered_at,
       se.event_type AS status_event_type,
       ce.event_type AS closing_event_type, ce.created_at AS closing_at, ce.sent_at AS closing_sent_at,
       ce.previous_status AS closing_previous_status,
       r.released_at, ci.processed_at AS closing_inventory_at, re.sent_at AS release_event_sent_at,
       cn.created_at AS closing_notification_at, cn.delivery_status AS closing_delivery_status,
       cn.delivery_attempts AS closing_delivery_attempts, cn.last_error AS closing_last_error,
       cn.delivered_at AS closing_delivered_at
  FROM ${VIEWS.orders} o
  LEFT JOIN LATERAL (
    SELECT event_id, sent_at FROM ${VIEWS.orderOutbox} WHERE key = o.id::text ORDER BY seq LIMIT 1) oo ON true
  LEFT JOIN ${VIEWS.inventoryInbox} ii ON ii.event_id = oo.event_id
  LEFT JOIN ${VIEWS.reservationsV2} r ON r.order_id = o.id
  LEFT JOIN LATERAL (
    SELECT event_id, event_type, sent_at FROM ${VIEWS.inventoryOutbox}
     WHERE key = o.id::text ORDER BY seq LIMIT 1) io ON true
  LEFT JOIN ${VIEWS.orderInbox} oi ON oi.event_id = io.event_id
  LEFT JOIN LATERAL (
    SELECT event_id, event_type FROM ${VIEWS.orderOutbox}
     WHERE key = o.id::text AND event_type IN ('order.confirmed', 'order.rejected')
     ORDER BY seq LIMIT 1) se ON true
  LEFT JOIN ${VIEWS.notificationInbox} ni ON ni.event_id = coalesce(se.event_id, io.event_id)
  LEFT JOIN LATERAL (
    SELECT * FROM ${VIEWS.notifications} WHERE order_id = o.id AND status IN ('CONFIRMED', 'REJECTED') LIMIT 1) n ON true
  LEFT JOIN LATERAL (
    SELECT event_id, event_type, created_at, sent_at,
           value::jsonb->'payload'->>'previousStatus' AS previous_status FROM ${VIEWS.orderOutbox}
     WHERE key = o.id::text AND event_type IN ('order.cancelled', 'order.expired')
     ORDER BY seq LIMIT 1) ce ON true
  LEFT JOIN ${VIEWS.inventoryInbox} ci ON ci.event_id = ce.event_id
  LEFT JOIN LATERAL (
    SELECT sent_at FROM ${VIEWS.inventoryOutbox}
     WHERE key = o.id::text AND event_type = 'inventory.released' LIMIT 1) re ON true
  LEFT JOIN LATERAL (
    SELECT * FROM ${VIEWS.notifications} WHERE order_id = o.id AND status IN ('CANCELLED', 'EXPIRED') LIMIT 1) cn ON true
 WHERE o.id = $1`;

export async function readTimelineRow(db: ReadOnlyDb, orderId: string): Promise<TimelineRow | undefined> {
  const result = await db.query<TimelineRow>(TIMELINE_SQL, [orderId]);
  return result.rows[0];
}

/**
 * Turns the snapshot into hops in the order the system performs them: the way to a decision, then,
 * for a cancelled or expired order, the way of its cancel or expiry (the change, its event, the
 * stock released, its notification). A decision that came after the cancel or expiry shows as not
 * applied, and has no notification of its own.
 */
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
    statusChange(row, where(row.order_topic, row.order_partition, row.order_offset)),
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
  // Closed before any decision was applied: no decision notification will ever come.
  const decisionSkipped = closingStatus(row) !== undefined && !decisionApplied(row);
  steps.push(...closingSteps(row));
  // The decision's own notification and delivery (base steps 5 and 6) never happen then.
  const shown = decisionSkipped ? steps.filter((_, i) => i !== 5 && i !== 6) : steps;
  const accepted = row.created_at.getTime();
  let previous = accepted;
  let last = accepted;
  const hops = shown.map((s): Hop => {
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

type Step = Omit<Hop, 'sinceAcceptedMs' | 'sincePreviousMs'>;

/** CANCELLED or EXPIRED when the order was closed that way (undefined otherwise). */
function closingStatus(row: TimelineRow): 'CANCELLED' | 'EXPIRED' | undefined {
  return row.status === 'CANCELLED' || row.status === 'EXPIRED' ? row.status : undefined;
}

/** Whether the inventory decision moved the order (false: it was cancelled or expired first). */
function decisionApplied(row: TimelineRow): boolean {
  if (row.status_event_type !== undefined && row.status_event_type !== null) return true;
  if (closingStatus(row) === undefined) return row.status !== 'PENDING';
  // Cancelled from CONFIRMED: the decision was applied before.
  return row.closing_previous_status === 'CONFIRMED';
}

function statusChange(row: TimelineRow, where: string): Step {
  const closing = closingStatus(row);
  if (closing && !decisionApplied(row)) {
    return {
      step: 'status change',
      service: 'order-service',
      at: iso(row.order_processed_at),
      detail: row.order_processed_at
        ? `decision not applied: the order was ${closing} first${where}`
        : `no decision applied: the order was ${closing} first`,
    };
  }
  const decided = closing ? (row.status_event_type?.split('.')[1]?.toUpperCase() ?? 'CONFIRMED') : row.status;
  return {
    step: 'status change',
    service: 'order-service',
    at: iso(row.order_processed_at ?? (row.status === 'PENDING' ? null : row.updated_at)),
    detail: row.status === 'PENDING' ? 'still PENDING' : `PENDING → ${decided}${where}`,
  };
}

/** The cancel or expiry and what followed it, for a CANCELLED or EXPIRED order. */
function closingSteps(row: TimelineRow): Step[] {
  const closing = closingStatus(row);
  if (!closing) return [];
  const verb = closing === 'CANCELLED' ? 'cancelled' : 'expired';
  const from = row.closing_previous_status ?? 'PENDING';
  const released = row.reservation_status === 'RELEASED';
  return [
    {
      step: verb,
      service: 'order-service',
      at: iso(row.closing_at ?? row.updated_at),
      detail: `${from} → ${closing}${row.reason ? `: ${row.reason}` : ''}, order.${verb} written to the outbox`,
    },
    {
      step: 'order-events',
      service: 'order-service relay',
      at: iso(row.closing_sent_at ?? null),
      detail: `order.${verb} published`,
    },
    {
      step: 'stock released',
      service: 'inventory-service',
      at: iso(row.released_at ?? row.closing_inventory_at ?? null),
      detail: released
        ? `RELEASED: ${row.quantity} × ${row.item} back in stock`
        : row.reservation_status === 'CLOSED'
          ? 'nothing reserved: closed before inventory decided'
          : row.reservation_status === 'REJECTED'
            ? 'nothing to release (rejected)'
            : 'waiting for inventory-service',
    },
    ...(released
      ? [
          {
            step: 'inventory-events',
            service: 'inventory-service relay',
            at: iso(row.release_event_sent_at ?? null),
            detail: 'inventory.released published',
          },
        ]
      : []),
    {
      step: 'notification',
      service: 'notification-service',
      at: iso(row.closing_notification_at ?? null),
      detail: row.closing_notification_at ? `stored: order ${closing}` : 'not stored yet',
    },
    {
      step: 'delivered',
      service: 'notification-service',
      at: iso(row.closing_delivered_at ?? null),
      detail: row.closing_delivery_status
        ? `${row.closing_delivery_status} after ${row.closing_delivery_attempts ?? 0} attempt(s)${row.closing_last_error ? `: ${row.closing_last_error}` : ''}`
        : 'not delivered yet',
    },
  ];
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
