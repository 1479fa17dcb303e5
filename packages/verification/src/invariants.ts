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
  final: 'every stored order is CONFIRMED or REJECTED',
  'one-decision': 'exactly one reservation decision per order, agreeing with its status',
  'one-notification': 'exactly one notification per order, agreeing with its status, delivered',
  'stock-conserved': 'initial stock - reserved = current stock, never negative',
  'one-created-event': 'exactly one order.created event per order (topic and outbox)',
  'one-decision-event': 'exactly one decision event per order (topic and outbox), agreeing with the decision',
  'applied-once': "each order's events applied by each consumer group (one status change, one notification)",
  'valid-topics': 'every record on the main topics is a valid event',
  'dead-letters': 'no valid event in a dead-letter topic',
  'outboxes-drained': 'no outbox row left unsent',
  'no-lag': 'every consumer group committed to the end of every partition',
} as const;

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
    if (o.status !== 'CONFIRMED' && o.status !== 'REJECTED')
      add('final', `order ${o.id} is still ${o.status}`);
  }
  checkDecisions(facts, orders, add);
  checkNotifications(facts, orders, add);
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
    const expected = r.status === 'RESERVED' ? 'CONFIRMED' : 'REJECTED';
    if (order.status !== 'PENDING' && order.status !== expected) {
      add('one-decision', `order ${r.order_id} is ${order.status} but inventory decided ${r.status}`);
    }
  }
}

function checkNotifications(facts: PipelineFacts, orders: Map<string, { status: string }>, add: Add): void {
  const notes = countBy(facts.notifications.map((n) => n.order_id));
  for (const id of orders.keys()) {
    const n = notes.get(id) ?? 0;
    if (n !== 1) add('one-notification', `order ${id} has ${n} notifications`);
  }
  for (const n of facts.notifications) {
    const order = orders.get(n.order_id);
    if (!order) add('one-notification', `notification for order ${n.order_id}, which is not stored`);
    else if (order.status !== 'PENDING' && order.status !== n.status) {
      add('one-notification', `order ${n.order_id} is ${order.status}, its notification says ${n.status}`);
    }
  }
}

function checkStock(facts: PipelineFacts, initialStock: Map<string, number>, add: Add): void {
  for (const [item, initial] of initialStock) {
    const reserved = facts.reservations
      .filter((r) => r.item === item && r.status === 'RESERVED')
      .reduce((sum, r) => sum + r.quantity, 0);
    const now = facts.stock.get(item);
    if (now === undefined || now < 0) add('stock-conserved', `stock of ${item} is ${now}`);
    else if (initial - reserved !== now) {
      add('stock-conserved', `stock of ${item}: ${initial} - ${reserved} reserved != ${now}`);
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
  for (const id of orders.keys()) {
    const created = log.created.get(id);
    if (created?.size !== 1)
      add('one-created-event', `order ${id} has ${created?.size ?? 0} order.created events`);
    for (const eventId of created ?? []) {
      if (!facts.inbox.inventory.has(eventId)) {
        add('applied-once', `order.created ${eventId} of order ${id} is not in inventory_inbox`);
      }
    }
    const decided = log.decisions.get(id);
    if (decided?.size !== 1)
      add('one-decision-event', `order ${id} has ${decided?.size ?? 0} decision events`);
    for (const [eventId, type] of decided ?? []) {
      const reservation = reservations.get(id);
      const expected = reservation?.status === 'RESERVED' ? 'inventory.reserved' : 'inventory.rejected';
      if (reservation && type !== expected) {
        add('one-decision-event', `order ${id}: event ${type}, but the reservation is ${reservation.status}`);
      }
      if (!facts.inbox.order.has(eventId))
        add('applied-once', `decision ${eventId} of order ${id} is not in order_inbox`);
      if (!facts.inbox.notification.has(eventId)) {
        add('applied-once', `decision ${eventId} of order ${id} is not in notification_inbox`);
      }
    }
  }
  for (const id of log.created.keys()) {
    if (!orders.has(id)) add('one-created-event', `order.created for order ${id}, which is not stored`);
  }
  for (const id of log.decisions.keys()) {
    if (!orders.has(id)) add('one-decision-event', `decision event for order ${id}, which is not stored`);
  }
  for (const [key, n] of facts.outbox.orderEventsPerKey) {
    if (n > 1) add('one-created-event', `order ${key} has ${n} rows in order_outbox`);
  }
  for (const [key, n] of facts.outbox.decisionEventsPerKey) {
    if (n > 1) add('one-decision-event', `order ${key} has ${n} rows in inventory_outbox`);
  }
  for (const line of log.invalid) add('valid-topics', line);
  const { order, inventory } = facts.outbox.unsent;
  if (order > 0) add('outboxes-drained', `${order} order_outbox rows never sent`);
  if (inventory > 0) add('outboxes-drained', `${inventory} inventory_outbox rows never sent`);
  return sortViolations(v);
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

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}
