import {
  encodeEvent,
  HEADERS,
  newEnvelope,
  type OrderCreatedEvent,
  type OrderStatus,
  orderCreatedEvent,
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
    headers: {
      [HEADERS.eventId]: event.id,
      [HEADERS.eventType]: event.type,
      [HEADERS.correlationId]: trace.correlationId,
      [HEADERS.contentType]: 'application/json',
      [HEADERS.orderAcceptedAt]: event.occurredAt,
      ...(trace.traceparent ? { [HEADERS.traceparent]: trace.traceparent } : {}),
    },
  };
}
