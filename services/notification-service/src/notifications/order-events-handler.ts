import { decodeEvent, type OrderEvent, orderEvent } from '@kafka-poc/contracts';
import type { Database } from '@kafka-poc/db';
import type { BatchHandler, KafkaProducer } from '@kafka-poc/kafka';
import { createInboxBatchHandler, type EventTracer, type InboxHandlerHooks } from '@kafka-poc/outbox';
import { notificationInbox } from '../db/schema.ts';
import { storeNotifications } from './notification-repository.ts';

/**
 * notification-service's consumer of order-events: one stored notification per status an order
 * reaches (order.confirmed, order.rejected, order.cancelled, order.expired), following
 * order-service, which owns an order's state. order.created is read and skipped.
 */
export function orderEventsHandler(options: {
  db: Database;
  producer: KafkaProducer;
  groupId: string;
  hooks?: InboxHandlerHooks<OrderEvent>;
  tracer?: EventTracer | undefined;
  onStored?: (count: number) => void;
}): BatchHandler {
  return createInboxBatchHandler<OrderEvent>({
    db: options.db,
    producer: options.producer,
    groupId: options.groupId,
    inbox: notificationInbox,
    decode: (value) => decodeEvent(orderEvent, value),
    apply: async (tx, events) => {
      const stored = await storeNotifications(
        tx,
        events.map(({ event, message }) => ({
          event,
          source: { topic: message.topic, partition: message.partition, offset: message.offset },
        })),
      );
      options.onStored?.(stored.length);
    },
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.tracer ? { tracer: options.tracer } : {}),
  });
}
