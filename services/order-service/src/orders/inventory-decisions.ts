import { decodeEvent, type InventoryEvent, inventoryEvent } from '@kafka-poc/contracts';
import type { Database } from '@kafka-poc/db';
import type { BatchHandler, KafkaProducer } from '@kafka-poc/kafka';
import {
  type ConsumedEvent,
  createInboxBatchHandler,
  type EventTracer,
  type InboxHandlerHooks,
} from '@kafka-poc/outbox';
import { orderInbox } from '../db/schema.ts';
import { applyDecisions, type Decision } from './order-repository.ts';

export interface FinalizedOrder {
  id: string;
  createdAt: Date;
}

/**
 * order-service's consumer of inventory-events: each reservation decision moves its order from
 * PENDING to CONFIRMED or REJECTED, exactly once (inbox + conditional update) per order.
 * `onFinalized` is told which orders reached their final status, once the change is committed.
 */
export function inventoryDecisionsHandler(options: {
  db: Database;
  producer: KafkaProducer;
  groupId: string;
  hooks?: InboxHandlerHooks<InventoryEvent>;
  tracer?: EventTracer | undefined;
  onFinalized?: (orders: FinalizedOrder[]) => void;
}): BatchHandler {
  // Batches are handled one at a time, so the last transaction's result is the one being committed.
  let finalized: FinalizedOrder[] = [];
  return createInboxBatchHandler<InventoryEvent>({
    db: options.db,
    producer: options.producer,
    groupId: options.groupId,
    inbox: orderInbox,
    decode: (value) => decodeEvent(inventoryEvent, value),
    apply: async (tx, events) => {
      finalized = await applyDecisions(tx, events.map(toDecision));
    },
    hooks: {
      ...options.hooks,
      onCommitted: (applied, duplicates) => {
        options.hooks?.onCommitted?.(applied, duplicates);
        options.onFinalized?.(finalized);
        finalized = [];
      },
    },
    ...(options.tracer ? { tracer: options.tracer } : {}),
  });
}

function toDecision({ event }: ConsumedEvent<InventoryEvent>): Decision {
  const { payload } = event;
  return payload.status === 'RESERVED'
    ? { orderId: payload.orderId, status: 'CONFIRMED', reason: null }
    : { orderId: payload.orderId, status: 'REJECTED', reason: payload.reason };
}
