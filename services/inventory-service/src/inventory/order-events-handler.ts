import { decodeEvent, type OrderEvent, orderEvent } from '@kafka-poc/contracts';
import type { Database } from '@kafka-poc/db';
import type { BatchHandler, KafkaProducer } from '@kafka-poc/kafka';
import { createInboxBatchHandler, type EventTracer, type InboxHandlerHooks } from '@kafka-poc/outbox';
import { inventoryInbox } from '../db/schema.ts';
import { applyOrderEvents } from './order-effects.ts';
import type { StockEffect } from './reserve.ts';

/**
 * inventory-service's consumer of order-events: one reservation decision per order and at most one
 * release (when it is cancelled or expires), exactly once (inbox + reservation row per order).
 * Events of one order share a partition, so order.created is always applied before its
 * order.cancelled or order.expired.
 */
export function orderEventsHandler(options: {
  db: Database;
  producer: KafkaProducer;
  groupId: string;
  inventoryEventsTopic: string;
  onApplied?: (effects: StockEffect[]) => void;
  hooks?: InboxHandlerHooks<OrderEvent>;
  tracer?: EventTracer | undefined;
}): BatchHandler {
  return createInboxBatchHandler<OrderEvent>({
    db: options.db,
    producer: options.producer,
    groupId: options.groupId,
    inbox: inventoryInbox,
    decode: (value) => decodeEvent(orderEvent, value),
    apply: async (tx, events) => {
      const effects = await applyOrderEvents(tx, options.inventoryEventsTopic, events);
      options.onApplied?.(effects);
    },
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.tracer ? { tracer: options.tracer } : {}),
  });
}
