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
 * The stock rule, free of I/O: requests are decided in order against the given stock levels (which
 * this function updates). Stock never goes below zero; an unknown item or a quantity above what is
 * left is rejected with a reason.
 */
export function decideReservations(
  stock: Map<string, number>,
  requests: ReservationRequest[],
): ReservationDecision[] {
  return requests.map((request) => {
    const available = stock.get(request.item);
    if (available === undefined) {
      return {
        ...request,
        status: 'REJECTED',
        reasonCode: 'UNKNOWN_ITEM',
        reason: `unknown item "${request.item}"`,
      };
    }
    if (available < request.quantity) {
      return {
        ...request,
        status: 'REJECTED',
        reasonCode: 'INSUFFICIENT_STOCK',
        reason: `insufficient stock for "${request.item}": requested ${request.quantity}, available ${available}`,
      };
    }
    const remainingStock = available - request.quantity;
    stock.set(request.item, remainingStock);
    return { ...request, status: 'RESERVED', remainingStock };
  });
}
