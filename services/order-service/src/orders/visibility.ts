import { AppError, seesEverything } from '@kafka-poc/service-kit';
import { and, eq, type SQL } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { orders } from '../db/schema.ts';

/**
 * Whose orders a request sees and touches: every order (an admin key, or no key where keys are not
 * required), or only those its principal placed. Another principal's order is answered exactly as a
 * missing one (404), never 403, which would confirm that it exists.
 */
export type OrderVisibility = { readonly all: true } | { readonly all: false; readonly owner: string };

/** Who sees what, in the description of every operation that reads or touches existing orders. */
export const OWNERSHIP_NOTE =
  "An API key without the admin scope sees and touches only the orders it placed: another key's order " +
  'answers 404 exactly as a missing one. An admin key (or, where keys are not required, a request ' +
  'without one) sees every order.';

export const ALL_ORDERS: OrderVisibility = { all: true };

export function visibilityOf(request: FastifyRequest): OrderVisibility {
  if (seesEverything(request)) return ALL_ORDERS;
  const owner = request.principal;
  // seesEverything() is true for every request without a principal; fail closed if that ever changes.
  if (owner === undefined)
    throw new AppError('INTERNAL', 'a request restricted to its own orders has no principal');
  return { all: false, owner };
}

/** The condition an order must meet to be visible (undefined: no condition). */
export function visibleOrders(visibility: OrderVisibility): SQL | undefined {
  return visibility.all ? undefined : eq(orders.owner, visibility.owner);
}

/** `where` restricted to the visible orders. */
export function andVisible(visibility: OrderVisibility, where: SQL | undefined): SQL | undefined {
  return and(where, visibleOrders(visibility));
}
