import type { EventLog } from './event-log.ts';
import type { PipelineFacts } from './facts.ts';
import { loadOrder } from './load-generator.ts';

/**
 * The invariants, in the order they are checked and reported ("the first violated invariant" is the
 * first of this list that has a violation). Each reads only what the databases and topics hold, and
 * what the clients were told.
 */
export const INVARIANTS = {
  'accepted-stored': 'every order answered 201 is stored, as it was requested',
  'requested-only': 'every stored order was requested by a client, once',
  final: 'every stored order is final: CONFIRMED, REJECTED, CANCELLED or EXPIRED',
  'one-decision':
    'exactly one reservation decision per order, agreeing with its status (a cancelled or expired order holds nothing)',
  'one-notification':
    'exactly one notification per status an order reached (CONFIRMED then CANCELLED: two), delivered',
  'released-once':
    'the stock of a cancelled or expired order given back exactly once (one release movement and event), no other',
  'stock-conserved':
    'on hand = initial + adjustments; available = on hand - reservations of CONFIRMED orders, never negative; movements add up to the stock',
  'one-created-event': 'exactly one order.created event per order (topic and outbox)',
  'one-decision-event': 'exactly one decision event per order (topic and outbox), agreeing with the decision',
  'one-status-event':
    'exactly one status event per status an order reached (topic and outbox), the last one its status, each notified',
  'applied-once': "each order's events applied by each consumer group that reads them",
  'valid-topics': 'every record on the main topics is a valid event',
  'dead-letters': 'no valid event in a dead-letter topic',
  'outboxes-drained': 'no outbox row left unsent',
  'no-lag': 'every consumer group committed to the end of every partition',
} as const;

/** Final statuses, and the reservation statuses each allows (a cancel or an expiry may race the decision). */
const RESERVATION_FOR: Record<string, readonly string[]> = {
  CONFIRMED: ['RESERVED'],
  REJECTED: ['REJECTED'],
  CANCELLED: ['RELEASED', 'REJECTED', 'CLOSED'],
  EXPIRED: ['RELEASED', 'REJECTED', 'CLOSED'],
};

/** The statuses an order of each final status can have been notified of (one notification each). */
const NOTIFIABLE_FOR: Record<string, readonly string[]> = {
  CONFIRMED: ['CONFIRMED'],
  REJECTED: ['REJECTED'],
  CANCELLED: ['CONFIRMED', 'CANCELLED'],
  EXPIRED: ['EXPIRED'],
};

/** The status an order-events status type announces (order.confirmed → CONFIRMED). */
const announced = (type: string) => type.slice('order.'.length).toUpperCase();

export type Invariant = keyof typeof INVARIANTS;

export interface Violation {
  invariant: Invariant;
  detail: string;
}

/** Requests whose outcome the checker holds the system to: the key sent (if any), and the id of a 201. */
export interface ClientHistory {
  /** Ids answered 201. */
  accepted: string[];
  /**
   * Idempotency-Key → request index, of every request sent (whatever its outcome), when the load
   * sent keys: a stored order must carry one of them, and the item and quantity of that request.
   */
  requestedKeys?: Map<string, number>;
  /** Idempotency-Key → what its client was told ("201", "503", "timeout", …), for the figures. */
  outcomes?: Map<string, string>;
}

/**
 * The invariants over what Postgres holds (no topic needed): accepted orders stored and final, one
 * decision and one notification per order agreeing with its status, stock conserved. Every stored
 * order is held to them, not only the 201s: a request that timed out may or may not have created
 * its order, and one that exists must be as final and exactly-once as any other.
 */
export function checkInvariants(
  facts: PipelineFacts,
  initialStock: Map<string, number>,
  history: ClientHistory | string[],
): Violation[] {
  const { accepted, requestedKeys } = Array.isArray(history) ? { accepted: history } : history;
  const v: Violation[] = [];
  const add = (invariant: Invariant, detail: string) => v.push({ invariant, detail });
  const orders = new Map(facts.orders.map((o) => [o.id, o]));
  for (const id of accepted) {
    if (!orders.has(id)) add('accepted-stored', `order ${id} answered 201 but is not stored`);
  }
  if (requestedKeys) {
    for (const o of facts.orders) {
      const index = o.idempotency_key === null ? undefined : requestedKeys.get(o.idempotency_key);
      if (index === undefined) {
        add('requested-only', `order ${o.id} has key ${o.idempotency_key}, which no client sent`);
        continue;
      }
      const asked = loadOrder(index);
      if (asked.item !== o.item || asked.quantity !== o.quantity) {
        add(
          'accepted-stored',
          `order ${o.id} is ${o.quantity}×${o.item}, its request asked ${asked.quantity}×${asked.item}`,
        );
      }
    }
  }
  for (const o of facts.orders) {
    if (!RESERVATION_FOR[o.status]) add('final', `order ${o.id} is still ${o.status}`);
  }
  checkDecisions(facts, orders, add);
  checkNotifications(facts, orders, add);
  checkReleases(facts, orders, add);
  checkStock(facts, initialStock, add);
  return sortViolations(v);
}

type Add = (invariant: Invariant, detail: string) => void;

function checkDecisions(facts: PipelineFacts, orders: Map<string, { status: string }>, add: Add): void {
  const decisions = countBy(facts.reservations.map((r) => r.order_id));
  for (const id of orders.keys()) {
    const n = decisions.get(id) ?? 0;
    if (n !== 1) add('one-decision', `order ${id} has ${n} reservation decisions`);
  }
  for (const r of facts.reservations) {
    const order = orders.get(r.order_id);
    if (!order) {
      add('one-decision', `reservation for order ${r.order_id}, which is not stored`);
      continue;
    }
    const allowed = RESERVATION_FOR[order.status];
    if (allowed && !allowed.includes(r.status)) {
      add('one-decision', `order ${r.order_id} is ${order.status} but its reservation is ${r.status}`);
    }
  }
}

/**
 * One notification per status reached. The database alone cannot tell whether a CANCELLED order was
 * CONFIRMED first (checkEventInvariants holds its notifications to the status events); here: its own
 * status notified, nothing twice, nothing it cannot have reached.
 */
function checkNotifications(facts: PipelineFacts, orders: Map<string, { status: string }>, add: Add): void {
  const notes = groupBy(facts.notifications, (n) => n.order_id);
  for (const [id, order] of orders) {
    const statuses = (notes.get(id) ?? []).map((n) => n.status);
    const allowed = NOTIFIABLE_FOR[order.status];
    if (!allowed) continue; // not final: reported by 'final'
    if (!statuses.includes(order.status)) {
      add(
        'one-notification',
        `order ${id} is ${order.status} but was notified ${statuses.join(', ') || 'nothing'}`,
      );
    }
    if (new Set(statuses).size !== statuses.length) {
      add('one-notification', `order ${id} was notified ${statuses.join(', ')}`);
    }
    for (const status of statuses) {
      if (!allowed.includes(status))
        add('one-notification', `order ${id} is ${order.status}, notified ${status}`);
    }
  }
  for (const n of facts.notifications) {
    if (!orders.has(n.order_id))
      add('one-notification', `notification for order ${n.order_id}, which is not stored`);
  }
}

/** Per order: one reservation movement if stock was ever held, one release movement if it was given back. */
function checkReleases(facts: PipelineFacts, orders: Map<string, { status: string }>, add: Add): void {
  for (const r of facts.reservations) {
    const moved = facts.orderMovements.get(r.order_id);
    const held = r.status === 'RESERVED' || r.status === 'RELEASED' ? 1 : 0;
    const released = r.status === 'RELEASED' ? 1 : 0;
    const reservations = moved?.get('reservation') ?? 0;
    const releases = moved?.get('release') ?? 0;
    if (reservations !== held) {
      add('stock-conserved', `order ${r.order_id} (${r.status}) has ${reservations} reservation movements`);
    }
    if (releases !== released) {
      add('released-once', `order ${r.order_id} (${r.status}) has ${releases} release movements`);
    }
    const order = orders.get(r.order_id);
    if (released && order && r.release_cause !== order.status) {
      add(
        'released-once',
        `order ${r.order_id} is ${order.status}, its stock was released as ${r.release_cause}`,
      );
    }
  }
}

/**
 * on hand = initial + adjustments; reserved = Σ RESERVED reservations; available = initial +
 * adjustments − Σ reservations of CONFIRMED orders, never negative; the movements add up to the row.
 */
function checkStock(facts: PipelineFacts, initialStock: Map<string, number>, add: Add): void {
  const orders = new Map(facts.orders.map((o) => [o.id, o]));
  for (const [item, initial] of initialStock) {
    const available = facts.stock.get(item);
    const level = facts.levels.get(item);
    if (available === undefined || !level) {
      add('stock-conserved', `item ${item} is missing`);
      continue;
    }
    const sums = facts.movements.get(item) ?? { onHand: 0, adjusted: 0, reserved: 0 };
    const of = (keep: (r: PipelineFacts['reservations'][number]) => boolean) =>
      facts.reservations.filter((r) => r.item === item && keep(r)).reduce((sum, r) => sum + r.quantity, 0);
    const held = of((r) => r.status === 'RESERVED');
    const confirmed = of((r) => orders.get(r.order_id)?.status === 'CONFIRMED');
    if (available < 0) add('stock-conserved', `available stock of ${item} is ${available}`);
    if (level.onHand !== initial + sums.adjusted) {
      add(
        'stock-conserved',
        `${item}: on hand ${level.onHand} != initial ${initial} + adjustments ${sums.adjusted}`,
      );
    }
    if (level.reserved !== held)
      add('stock-conserved', `${item}: reserved ${level.reserved} != reservations held ${held}`);
    if (available !== initial + sums.adjusted - confirmed) {
      add(
        'stock-conserved',
        `${item}: available ${available} != initial ${initial} + adjustments ${sums.adjusted} - CONFIRMED orders' ${confirmed}`,
      );
    }
    if (sums.onHand !== level.onHand || sums.reserved !== level.reserved) {
      add(
        'stock-conserved',
        `${item}: movements add up to ${sums.onHand} on hand/${sums.reserved} reserved, the row says ${level.onHand}/${level.reserved}`,
      );
    }
  }
}

/** Every stored notification was delivered (after the pipeline settled; the dispatcher runs apart). */
export function checkDelivered(facts: PipelineFacts): Violation[] {
  return facts.notifications
    .filter((n) => n.delivery_status !== 'SENT')
    .map((n) => ({
      invariant: 'one-notification' as const,
      detail: `notification of order ${n.order_id} is ${n.delivery_status}, not delivered`,
    }));
}

/**
 * The invariants that need the topics: one order.created and one decision event per stored order
 * (none for an order that does not exist), each applied by the consumer groups, and the outbox rows
 * behind them (one per order, none unsent).
 */
export function checkEventInvariants(facts: PipelineFacts, log: EventLog): Violation[] {
  const v: Violation[] = [];
  const add: Add = (invariant, detail) => v.push({ invariant, detail });
  const orders = new Map(facts.orders.map((o) => [o.id, o]));
  const reservations = new Map(facts.reservations.map((r) => [r.order_id, r]));
  const notes = groupBy(facts.notifications, (n) => n.order_id);
  for (const [id, order] of orders) {
    const created = log.created.get(id);
    if (created?.size !== 1)
      add('one-created-event', `order ${id} has ${created?.size ?? 0} order.created events`);
    for (const eventId of created ?? []) {
      if (!facts.inbox.inventory.has(eventId)) {
        add('applied-once', `order.created ${eventId} of order ${id} is not in inventory_inbox`);
      }
    }
    const reservation = reservations.get(id);
    const decided = log.decisions.get(id);
    // An order closed before inventory decided (CLOSED) has no decision event.
    const decisions = reservation?.status === 'CLOSED' ? 0 : 1;
    if ((decided?.size ?? 0) !== decisions)
      add('one-decision-event', `order ${id} has ${decided?.size ?? 0} decision events`);
    for (const [eventId, type] of decided ?? []) {
      const expected = reservation?.status === 'REJECTED' ? 'inventory.rejected' : 'inventory.reserved';
      if (reservation && type !== expected) {
        add('one-decision-event', `order ${id}: event ${type}, but the reservation is ${reservation.status}`);
      }
      if (!facts.inbox.order.has(eventId))
        add('applied-once', `decision ${eventId} of order ${id} is not in order_inbox`);
    }
    checkStatusEvents(facts, id, order.status, log.statuses.get(id), notes.get(id) ?? [], add);
    const releases = log.releases.get(id);
    const released = reservation?.status === 'RELEASED' ? 1 : 0;
    if ((releases?.size ?? 0) !== released)
      add(
        'released-once',
        `order ${id} (${reservation?.status}) has ${releases?.size ?? 0} inventory.released events`,
      );
    for (const eventId of releases ?? []) {
      if (!facts.inbox.order.has(eventId))
        add('applied-once', `inventory.released ${eventId} of order ${id} is not in order_inbox`);
    }
  }
  for (const [what, byOrder] of [
    ['order.created', log.created],
    ['decision', log.decisions],
    ['status', log.statuses],
    ['inventory.released', log.releases],
  ] as const) {
    for (const id of byOrder.keys()) {
      if (!orders.has(id)) add('one-created-event', `${what} event for order ${id}, which is not stored`);
    }
  }
  for (const [key, types] of facts.outbox.orderEventsPerKey) {
    for (const [type, n] of types) {
      if (n > 1)
        add(
          type === 'order.created' ? 'one-created-event' : 'one-status-event',
          `order ${key} has ${n} ${type} rows in order_outbox`,
        );
    }
  }
  for (const [key, types] of facts.outbox.inventoryEventsPerKey) {
    const decisions = (types.get('inventory.reserved') ?? 0) + (types.get('inventory.rejected') ?? 0);
    if (decisions > 1)
      add('one-decision-event', `order ${key} has ${decisions} decision rows in inventory_outbox`);
    const releases = types.get('inventory.released') ?? 0;
    if (releases > 1)
      add('released-once', `order ${key} has ${releases} inventory.released rows in inventory_outbox`);
  }
  for (const line of log.invalid) add('valid-topics', line);
  const { order, inventory } = facts.outbox.unsent;
  if (order > 0) add('outboxes-drained', `${order} order_outbox rows never sent`);
  if (inventory > 0) add('outboxes-drained', `${inventory} inventory_outbox rows never sent`);
  return sortViolations(v);
}

/**
 * The status events of one order: one per status reached (no type twice), the last its status, each
 * applied by notification-service (and a cancel or expiry by inventory-service), and exactly the
 * statuses announced notified.
 */
function checkStatusEvents(
  facts: PipelineFacts,
  id: string,
  status: string,
  events: Map<string, string> | undefined,
  notes: { status: string }[],
  add: Add,
): void {
  const types = [...(events?.values() ?? [])];
  const reached = types.map(announced);
  if (new Set(reached).size !== reached.length)
    add('one-status-event', `order ${id} announced ${reached.join(', ')}`);
  if (status !== 'PENDING' && reached.at(-1) !== status) {
    add(
      'one-status-event',
      `order ${id} is ${status} but its last status event says ${reached.at(-1) ?? 'nothing'}`,
    );
  }
  const notified = notes.map((n) => n.status).sort();
  if (status !== 'PENDING' && notified.join() !== [...new Set(reached)].sort().join()) {
    add(
      'one-status-event',
      `order ${id} announced ${reached.join(', ') || 'nothing'} but was notified ${notified.join(', ') || 'nothing'}`,
    );
  }
  for (const [eventId, type] of events ?? []) {
    if (!facts.inbox.notification.has(eventId))
      add('applied-once', `${type} ${eventId} of order ${id} is not in notification_inbox`);
    if ((type === 'order.cancelled' || type === 'order.expired') && !facts.inbox.inventory.has(eventId))
      add('applied-once', `${type} ${eventId} of order ${id} is not in inventory_inbox`);
  }
}

/** Orders violations by the INVARIANTS list, keeping their order within one invariant. */
export function sortViolations(violations: Violation[]): Violation[] {
  const rank = Object.keys(INVARIANTS);
  return violations
    .map((v, i) => ({ v, i }))
    .sort((a, b) => rank.indexOf(a.v.invariant) - rank.indexOf(b.v.invariant) || a.i - b.i)
    .map(({ v }) => v);
}

/** "invariant: detail", for logs and the fault suite's problem lists. */
export function describeViolation(v: Violation): string {
  return `${v.invariant}: ${v.detail}`;
}

function groupBy<T>(values: T[], key: (v: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const v of values) groups.set(key(v), [...(groups.get(key(v)) ?? []), v]);
  return groups;
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}
