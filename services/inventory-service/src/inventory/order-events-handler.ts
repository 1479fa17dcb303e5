import { decodeEvent, type OrderEvent, orderEvent } from '@kafka-poc/contracts';
import type { Database } from '@kafka-poc/db';
import type { BatchHandler, KafkaProducer } from '@kafka-poc/kafka';
import { createInboxBatchHandler, type EventTracer, type InboxHandlerHooks } from '@kafka-poc/outbox';
import { inventoryInbox } from '../db/schema.ts';
import { reserveBatch } from './inventory-repository.ts';
import type { ReservationDecision } from './reserve.ts';

/** inventory-service's consumer of order-events: one reservation decision per order, exactly once. */
export function orderEventsHandler(options: {
  db: Database;
  producer: KafkaProducer;
  groupId: string;
  inventoryEventsTopic: string;
  onDecided?: (decisions: ReservationDecision[]) => void;
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
      const decisions = await reserveBatch(tx, options.inventoryEventsTopic, events);
      options.onDecided?.(decisions);
    },
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.tracer ? { tracer: options.tracer } : {}),
  });
}
