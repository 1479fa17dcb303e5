import { randomUUID } from 'node:crypto';
import type { OrderResponse } from '@kafka-poc/contracts';
import { type Database, isRetryableDbError } from '@kafka-poc/db';
import { backoffDelay, sleep } from '@kafka-poc/resilience';
import { eq } from 'drizzle-orm';
import { orders } from '../db/schema.ts';
import { toResponse } from './order-repository.ts';
import { cancelOrder } from './order-transitions.ts';
import { andVisible, type OrderVisibility } from './visibility.ts';

export type CancelResult =
  | { kind: 'cancelled'; order: OrderResponse; replayed: boolean }
  | { kind: 'conflict'; order: OrderResponse }
  | { kind: 'not-found' };

/**
 * Prefix of the cancel key a request without Idempotency-Key gets: U+001E, a control character no
 * client key may contain, so a generated key never equals a client's.
 */
const GENERATED_KEY_PREFIX = '\u001e';

/**
 * Cancels with the same cancel key on every attempt: a transient failure (a deadlock, a connection
 * lost after the commit) is retried within a short budget, and an attempt that finds the order
 * cancelled under its own key knows an earlier attempt — or the client's earlier request with the
 * same Idempotency-Key — did it: 200 again, nothing emitted twice.
 */
export async function cancelWithRetries(
  db: Database,
  topic: string,
  request: {
    orderId: string;
    reason: string | undefined;
    clientKey: string | undefined;
    traceparent?: string;
    /** Whose orders the caller may cancel: another owner's order is not-found. */
    visibility: OrderVisibility;
  },
  budget = { maxAttempts: 4, budgetMs: 2000 },
): Promise<CancelResult> {
  const cancelKey = request.clientKey ?? `${GENERATED_KEY_PREFIX}${randomUUID()}`;
  const deadline = Date.now() + budget.budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await cancelOrder(db, topic, { ...request, cancelKey });
      if (outcome.kind === 'not-found') return outcome;
      // Orders are never deleted: the row is there, as this cancel or another change left it.
      const [row] = await db
        .select()
        .from(orders)
        .where(andVisible(request.visibility, eq(orders.id, request.orderId)));
      if (!row) return { kind: 'not-found' };
      if (outcome.kind === 'cancelled') return { kind: 'cancelled', order: toResponse(row), replayed: false };
      const order = toResponse(row);
      if (row.status === 'CANCELLED' && row.cancelKey === cancelKey) {
        return { kind: 'cancelled', order, replayed: attempt === 1 };
      }
      return { kind: 'conflict', order };
    } catch (error) {
      const delayMs = backoffDelay(attempt, { initialMs: 25, maxMs: 500 });
      if (!isRetryableDbError(error) || attempt >= budget.maxAttempts || Date.now() + delayMs > deadline)
        throw error;
      await sleep(delayMs);
    }
  }
}

/** The 409 answer: the order cannot be cancelled from its status; its current state goes along. */
export function problemOf(order: OrderResponse) {
  return {
    type: 'https://kafka-poc.local/problems/order-not-cancellable',
    title: 'Conflict',
    status: 409,
    code: 'ORDER_NOT_CANCELLABLE',
    detail: `order ${order.id} is ${order.status}: only PENDING or CONFIRMED orders can be cancelled`,
    order,
  };
}
