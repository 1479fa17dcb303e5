// When the orders a demo placed are done, in the terms of the contracts (packages/contracts): every
// status of `orderStatus`, of which every one but PENDING is a decision, and one notification per
// status an order reaches (so a done order has the notification of the status it is in now).
import { type OrderStatus, orderStatus } from '@kafka-poc/contracts';

/** Every order status, as the contracts define it (PENDING, CONFIRMED, REJECTED, CANCELLED, EXPIRED). */
export const STATUSES: readonly OrderStatus[] = orderStatus.options;

/** Statuses that end the wait: every decision (all but PENDING, see contracts' orderStatus). */
export const FINAL_STATUSES: readonly OrderStatus[] = STATUSES.filter((s) => s !== orderStatus.enum.PENDING);

/** One order as the ledger reads it: its status and whether the notification of that status is stored. */
export interface OrderState {
  id: string;
  status: string;
  /** A notification of its current status exists (notification-service stores one per status reached). */
  notified: boolean;
}

export interface Completion {
  /** Orders asked about. */
  total: number;
  /** Stored orders by status; every status of the contracts is present (0 when none). */
  byStatus: Record<OrderStatus, number>;
  /** Stored with a status the contracts do not know (a newer service, or a check left behind). */
  unknown: Record<string, number>;
  /** Asked about but not stored (yet). */
  missing: number;
  /** Final and notified of their status. */
  done: number;
  /** Final but without the notification of their status (yet). */
  unnotified: number;
}

export function isFinal(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

/** An order is done when its status is final and the notification of that status is stored. */
export function isDone(order: OrderState): boolean {
  return isFinal(order.status) && order.notified;
}

/** Counts the orders of `ids` by status and how many are done, from what the ledger read. */
export function completionOf(ids: readonly string[], rows: readonly OrderState[]): Completion {
  const asked = new Set(ids);
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>;
  const unknown: Record<string, number> = {};
  let stored = 0;
  let done = 0;
  let unnotified = 0;
  for (const row of rows) {
    if (!asked.has(row.id)) continue;
    stored += 1;
    if (row.status in byStatus) byStatus[row.status as OrderStatus] += 1;
    else unknown[row.status] = (unknown[row.status] ?? 0) + 1;
    if (isDone(row)) done += 1;
    else if (isFinal(row.status)) unnotified += 1;
  }
  return { total: asked.size, byStatus, unknown, missing: asked.size - stored, done, unnotified };
}

/** Every order stored, final and notified of its status. */
export function allDone(c: Completion): boolean {
  return c.done === c.total;
}

/** Every order stored and decided (notifications aside). */
export function allFinal(c: Completion): boolean {
  return c.missing === 0 && c.done + c.unnotified === c.total;
}

/** "CONFIRMED 12, REJECTED 3, CANCELLED 0, EXPIRED 0, PENDING 0", plus unknown statuses and what is missing. */
export function describeCompletion(c: Completion): string {
  const parts = FINAL_STATUSES.map((s) => `${s} ${c.byStatus[s]}`);
  parts.push(`PENDING ${c.byStatus.PENDING}`);
  for (const [s, n] of Object.entries(c.unknown)) parts.push(`unknown status ${s} ${n}`);
  if (c.missing > 0) parts.push(`not stored ${c.missing}`);
  const notes = c.unnotified > 0 ? `, ${c.unnotified} final but not notified yet` : '';
  return `${parts.join(', ')}; ${c.done} of ${c.total} done${notes}`;
}

/**
 * A demo that expects no order to expire (the decision timeout is longer than the outage it plays)
 * fails when one did; returns the line its step reports.
 */
export function assertNoExpiry(c: Completion): string {
  const expired = c.byStatus.EXPIRED;
  if (expired > 0)
    throw new Error(`${expired} of ${c.total} orders EXPIRED, expected none (${describeCompletion(c)})`);
  return '0 EXPIRED, as expected';
}
