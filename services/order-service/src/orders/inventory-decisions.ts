import { decodeEvent, type InventoryEvent, inventoryEvent } from '@kafka-poc/contracts';
import type { Database } from '@kafka-poc/db';
import type { BatchHandler, KafkaProducer } from '@kafka-poc/kafka';
import { type ConsumedEvent, createInboxBatchHandler, type InboxHandlerHooks } from '@kafka-poc/outbox';
import { orderInbox } from '../db/schema.ts';
import { applyDecisions, type Decision } from './order-repository.ts';

/**
 * order-service's consumer of inventory-events: each reservation decision moves its order from
 * PENDING to CONFIRMED or REJECTED, exactly once (inbox + conditional update) per order.
 */
export function inventoryDecisionsHandler(options: {
  db: Database;
  producer: KafkaProducer;
  groupId: string;
  hooks?: InboxHandlerHooks<InventoryEvent>;
}): BatchHandler {
  return createInboxBatchHandler<InventoryEvent>({
    db: options.db,
    producer: options.producer,
    groupId: options.groupId,
    inbox: orderInbox,
    decode: (value) => decodeEvent(inventoryEvent, value),
    apply: async (tx, events) => {
      await applyDecisions(tx, events.map(toDecision));
    },
    ...(options.hooks ? { hooks: options.hooks } : {}),
  });
}

function toDecision({ event }: ConsumedEvent<InventoryEvent>): Decision {
  const { payload } = event;
  return payload.status === 'RESERVED'
    ? { orderId: payload.orderId, status: 'CONFIRMED', reason: null }
    : { orderId: payload.orderId, status: 'REJECTED', reason: payload.reason };
}
