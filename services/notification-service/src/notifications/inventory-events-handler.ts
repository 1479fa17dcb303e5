import { decodeEvent, type InventoryEvent, inventoryEvent } from '@kafka-poc/contracts';
import type { Database } from '@kafka-poc/db';
import type { BatchHandler, KafkaProducer } from '@kafka-poc/kafka';
import { createInboxBatchHandler, type EventTracer, type InboxHandlerHooks } from '@kafka-poc/outbox';
import { notificationInbox } from '../db/schema.ts';
import { storeNotifications } from './notification-repository.ts';

/** notification-service's consumer of inventory-events: one stored notification per order outcome. */
export function inventoryEventsHandler(options: {
  db: Database;
  producer: KafkaProducer;
  groupId: string;
  hooks?: InboxHandlerHooks<InventoryEvent>;
  tracer?: EventTracer | undefined;
}): BatchHandler {
  return createInboxBatchHandler<InventoryEvent>({
    db: options.db,
    producer: options.producer,
    groupId: options.groupId,
    inbox: notificationInbox,
    decode: (value) => decodeEvent(inventoryEvent, value),
    apply: async (tx, events) => {
      await storeNotifications(
        tx,
        events.map((e) => e.event),
      );
    },
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.tracer ? { tracer: options.tracer } : {}),
  });
}
