/**
 * The exactly-once check of a run, mirroring packages/verification's checker but scoped to the orders
 * of this run: every order answered 201 is stored and final, has exactly one inventory decision and
 * exactly one notification per status it reached, all agreeing; and stock moved by exactly what is
 * still reserved. An order that waited past ORDER_DECISION_TIMEOUT in an overloaded run is EXPIRED:
 * its reservation, if any, was given back, and it is notified EXPIRED (never CONFIRMED).
 */

/** Reservation statuses each final order status allows (an expiry or cancel may race the decision). */
const RESERVATION_FOR: Record<string, string[]> = {
  CONFIRMED: ['RESERVED'],
  REJECTED: ['REJECTED'],
  EXPIRED: ['RELEASED', 'REJECTED', 'CLOSED'],
  CANCELLED: ['RELEASED', 'REJECTED', 'CLOSED'],
};

export interface OrderFact {
  id: string;
  item: string;
  quantity: number;
  status: string;
  /** Epoch ms (orders.created_at / updated_at). */
  createdAt: number;
  updatedAt: number;
}

export interface ReservationFact {
  orderId: string;
  item: string;
  quantity: number;
  status: string;
}

export interface NotificationFact {
  orderId: string;
  status: string;
  /** Epoch ms (notifications.created_at / delivered_at). */
  createdAt: number;
  deliveredAt: number | undefined;
  deliveryStatus: string;
}

export interface RunFacts {
  orders: OrderFact[];
  reservations: ReservationFact[];
  notifications: NotificationFact[];
  /** inventory before the first order of the bench and after the drain. */
  stockBefore: Map<string, number>;
  stockAfter: Map<string, number>;
  /** Sum of RESERVED quantities per item over every reservation made since the bench's first order. */
  reservedSince: Map<string, number>;
}

export interface ExactlyOnceResult {
  ok: boolean;
  checkedOrders: number;
  /** Answered 201 but not stored, still PENDING, undecided or without notification. */
  lost: number;
  /** More than one decision or notification, or one id answered twice. */
  duplicated: number;
  /** Decision, status and notification disagree, or stock is not conserved. */
  inconsistent: number;
  /** Human-readable problems, the first `limit` of them. */
  problems: string[];
}

export function checkExactlyOnce(acceptedIds: string[], facts: RunFacts, limit = 25): ExactlyOnceResult {
  const problems: string[] = [];
  let lost = 0;
  let duplicated = 0;
  let inconsistent = 0;
  const note = (text: string): void => {
    if (problems.length < limit) problems.push(text);
  };
  const orders = new Map(facts.orders.map((o) => [o.id, o]));
  const decisions = groupBy(facts.reservations, (r) => r.orderId);
  const notes = groupBy(facts.notifications, (n) => n.orderId);
  const seen = new Set<string>();

  for (const id of acceptedIds) {
    if (seen.has(id)) {
      duplicated++;
      note(`order ${id} was answered 201 twice`);
      continue;
    }
    seen.add(id);
    const order = orders.get(id);
    const decided = decisions.get(id) ?? [];
    const notified = notes.get(id) ?? [];
    if (!order) {
      lost++;
      note(`order ${id} answered 201 but is not stored`);
      continue;
    }
    if (order.status === 'PENDING' || decided.length === 0 || notified.length === 0) {
      lost++;
      note(
        `order ${id} is ${order.status} with ${decided.length} decision(s) and ${notified.length} notification(s)`,
      );
      continue;
    }
    const statuses = notified.map((n) => n.status);
    if (decided.length > 1 || new Set(statuses).size !== statuses.length) {
      duplicated++;
      note(`order ${id} has ${decided.length} decisions and notifications ${statuses.join(', ')}`);
      continue;
    }
    // One notification per status reached: its own, and CONFIRMED before a CANCELLED one.
    const allowedNotes = order.status === 'CANCELLED' ? ['CANCELLED', 'CONFIRMED'] : [order.status];
    const agrees =
      RESERVATION_FOR[order.status]?.includes(decided[0]?.status ?? '') &&
      statuses.includes(order.status) &&
      statuses.every((s) => allowedNotes.includes(s));
    if (!agrees) {
      inconsistent++;
      note(
        `order ${id} is ${order.status}, inventory decided ${decided[0]?.status}, notified ${statuses.join(', ')}`,
      );
    }
  }

  for (const [item, before] of facts.stockBefore) {
    const reserved = facts.reservedSince.get(item) ?? 0;
    const after = facts.stockAfter.get(item);
    if (after === undefined || after < 0) {
      inconsistent++;
      note(`stock of ${item} is ${after}`);
    } else if (before - reserved !== after) {
      inconsistent++;
      note(`stock of ${item}: ${before} - ${reserved} reserved = ${before - reserved}, but it is ${after}`);
    }
  }

  return {
    ok: lost === 0 && duplicated === 0 && inconsistent === 0,
    checkedOrders: seen.size,
    lost,
    duplicated,
    inconsistent,
    problems,
  };
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list) list.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
