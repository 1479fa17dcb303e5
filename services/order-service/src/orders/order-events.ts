import {
  encodeEvent,
  HEADERS,
  newEnvelope,
  type OrderCreatedEvent,
  type OrderStatus,
  type OrderStatusEvent,
  orderCancelledEvent,
  orderConfirmedEvent,
  orderCreatedEvent,
  orderExpiredEvent,
  orderRejectedEvent,
} from '@kafka-poc/contracts';
import type { OutboxMessage } from '@kafka-poc/outbox';

export interface TraceContext {
  correlationId: string;
  traceparent?: string | undefined;
}

/** The order.created event for a new order, serialized and validated once, ready for the outbox. */
export function orderCreatedMessage(
  topic: string,
  order: { id: string; item: string; quantity: number; status: OrderStatus },
  trace: TraceContext,
): OutboxMessage {
  const event: OrderCreatedEvent = newEnvelope(
    'order.created',
    'order-service',
    { orderId: order.id, item: order.item, quantity: order.quantity, status: 'PENDING' as const },
    trace.correlationId,
  );
  return {
    topic,
    key: order.id,
    value: encodeEvent(orderCreatedEvent, event),
    headers: headersOf(event, trace, event.occurredAt),
  };
}

/** An order as it is when it reaches a status: what its status event says. */
export interface StatusChange {
  id: string;
  item: string;
  quantity: number;
  status: Exclude<OrderStatus, 'PENDING'>;
  reason: string | null;
  /** For CANCELLED: the status it was cancelled from. */
  previousStatus?: 'PENDING' | 'CONFIRMED';
  createdAt: Date;
  correlationId: string | null;
}

/**
 * The event announcing the status an order reached (order.confirmed, order.rejected,
 * order.cancelled, order.expired), written in the same transaction as the change. It carries the
 * order's acceptance time (end-to-end latency) and the trace of what caused the change.
 */
export function orderStatusMessage(
  topic: string,
  change: StatusChange,
  traceparent?: string | undefined,
): OutboxMessage {
  const { event, value } = encodeStatusEvent(change);
  const correlationId = change.correlationId ?? undefined;
  return {
    topic,
    key: change.id,
    value,
    headers: headersOf(event, { correlationId, traceparent }, change.createdAt.toISOString()),
  };
}

function encodeStatusEvent(change: StatusChange): { event: OrderStatusEvent; value: string } {
  const base = { orderId: change.id, item: change.item, quantity: change.quantity };
  const correlationId = change.correlationId ?? undefined;
  const source = 'order-service';
  switch (change.status) {
    case 'CONFIRMED': {
      const event = newEnvelope(
        'order.confirmed',
        source,
        { ...base, status: 'CONFIRMED' as const },
        correlationId,
      );
      return { event, value: encodeEvent(orderConfirmedEvent, event) };
    }
    case 'REJECTED': {
      const payload = { ...base, status: 'REJECTED' as const, reason: change.reason ?? 'rejected' };
      const event = newEnvelope('order.rejected', source, payload, correlationId);
      return { event, value: encodeEvent(orderRejectedEvent, event) };
    }
    case 'CANCELLED': {
      const payload = {
        ...base,
        status: 'CANCELLED' as const,
        previousStatus: change.previousStatus ?? 'PENDING',
        ...(change.reason ? { reason: change.reason } : {}),
      };
      const event = newEnvelope('order.cancelled', source, payload, correlationId);
      return { event, value: encodeEvent(orderCancelledEvent, event) };
    }
    case 'EXPIRED': {
      const payload = { ...base, status: 'EXPIRED' as const, reason: change.reason ?? 'expired' };
      const event = newEnvelope('order.expired', source, payload, correlationId);
      return { event, value: encodeEvent(orderExpiredEvent, event) };
    }
  }
}

function headersOf(
  event: { id: string; type: string },
  trace: { correlationId?: string | undefined; traceparent?: string | undefined },
  acceptedAt: string,
): Record<string, string> {
  return {
    [HEADERS.eventId]: event.id,
    [HEADERS.eventType]: event.type,
    ...(trace.correlationId ? { [HEADERS.correlationId]: trace.correlationId } : {}),
    [HEADERS.contentType]: 'application/json',
    [HEADERS.orderAcceptedAt]: acceptedAt,
    ...(trace.traceparent ? { [HEADERS.traceparent]: trace.traceparent } : {}),
  };
}
