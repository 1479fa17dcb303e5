import type { RejectionCode } from '@kafka-poc/contracts';

export interface ReservationRequest {
  orderId: string;
  item: string;
  quantity: number;
}

export type ReservationDecision =
  | (ReservationRequest & { status: 'RESERVED'; remainingStock: number })
  | (ReservationRequest & { status: 'REJECTED'; reasonCode: RejectionCode; reason: string });

/**
 * An item's stock. `onHand`: units held (initial + adjustments); `reserved`: units held for orders
 * not cancelled or expired; available = onHand − reserved, never negative.
 */
export interface StockLevel {
  onHand: number;
  reserved: number;
}

export const available = (level: StockLevel): number => level.onHand - level.reserved;

/** What inventory-service knows of an order: its reservation row. */
export interface ReservationState {
  item: string;
  quantity: number;
  /**
   * RESERVED holds stock; REJECTED never did; RELEASED held it and gave it back; CLOSED: the order
   * was cancelled or expired before inventory-service decided anything (nothing reserved, and an
   * order.created that comes late is ignored).
   */
  status: 'RESERVED' | 'REJECTED' | 'RELEASED' | 'CLOSED';
}

export type StockCommand =
  | (ReservationRequest & { kind: 'reserve' })
  | (ReservationRequest & { kind: 'release'; cause: 'CANCELLED' | 'EXPIRED' });

export type StockEffect =
  | { kind: 'decided'; decision: ReservationDecision }
  | {
      kind: 'released';
      orderId: string;
      item: string;
      quantity: number;
      cause: 'CANCELLED' | 'EXPIRED';
      availableStock: number;
    }
  | { kind: 'closed'; orderId: string; item: string; quantity: number; cause: 'CANCELLED' | 'EXPIRED' }
  | { kind: 'ignored'; orderId: string };

/**
 * The stock rules, free of I/O, applied in event order to the given levels and reservations (both
 * updated in place). One decision per order, ever: an order with a reservation row is not decided
 * again. A release gives back exactly what a RESERVED reservation holds, once; releasing an order
 * that holds nothing (rejected, released before) changes nothing; releasing an order never decided
 * closes it, so a late order.created reserves nothing. Stock never goes below zero.
 */
export function applyStockRules(
  levels: Map<string, StockLevel>,
  reservations: Map<string, ReservationState>,
  commands: StockCommand[],
): StockEffect[] {
  return commands.map((command): StockEffect => {
    const existing = reservations.get(command.orderId);
    if (command.kind === 'reserve') {
      if (existing) return { kind: 'ignored', orderId: command.orderId };
      const { orderId, item, quantity } = command;
      const decision = decideReservation(levels, { orderId, item, quantity });
      reservations.set(command.orderId, {
        item: command.item,
        quantity: command.quantity,
        status: decision.status,
      });
      return { kind: 'decided', decision };
    }
    const { orderId, item, quantity, cause } = command;
    if (!existing) {
      reservations.set(orderId, { item, quantity, status: 'CLOSED' });
      return { kind: 'closed', orderId, item, quantity, cause };
    }
    if (existing.status !== 'RESERVED') return { kind: 'ignored', orderId };
    const level = levels.get(existing.item);
    if (!level) throw new Error(`reserved item "${existing.item}" has no stock row`);
    level.reserved -= existing.quantity;
    existing.status = 'RELEASED';
    return {
      kind: 'released',
      orderId,
      item: existing.item,
      quantity: existing.quantity,
      cause,
      availableStock: available(level),
    };
  });
}

function decideReservation(
  levels: Map<string, StockLevel>,
  request: ReservationRequest,
): ReservationDecision {
  const level = levels.get(request.item);
  if (level === undefined) {
    return {
      ...request,
      status: 'REJECTED',
      reasonCode: 'UNKNOWN_ITEM',
      reason: `unknown item "${request.item}"`,
    };
  }
  const left = available(level);
  if (left < request.quantity) {
    return {
      ...request,
      status: 'REJECTED',
      reasonCode: 'INSUFFICIENT_STOCK',
      reason: `insufficient stock for "${request.item}": requested ${request.quantity}, available ${left}`,
    };
  }
  level.reserved += request.quantity;
  return { ...request, status: 'RESERVED', remainingStock: available(level) };
}
