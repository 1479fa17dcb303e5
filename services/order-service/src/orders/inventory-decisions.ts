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
import type { StatusChange } from './order-events.ts';
import { applyDecisions, type Decision } from './order-transitions.ts';

/**
 * order-service's consumer of inventory-events: each reservation decision moves its order from
 * PENDING to CONFIRMED or REJECTED, exactly once (inbox + conditional update) per order, and
 * announces it on order-events in the same transaction. inventory.released changes no order (the
 * order was cancelled or expired before). `onFinalized` is told which orders changed, once
 * committed.
 */
export function inventoryDecisionsHandler(options: {
  db: Database;
  producer: KafkaProducer;
  groupId: string;
  orderEventsTopic: string;
  hooks?: InboxHandlerHooks<InventoryEvent>;
  tracer?: EventTracer | undefined;
  onFinalized?: (orders: StatusChange[]) => void;
}): BatchHandler {
  // Batches are handled one at a time, so the last transaction's result is the one being committed.
  let finalized: StatusChange[] = [];
  return createInboxBatchHandler<InventoryEvent>({
    db: options.db,
    producer: options.producer,
    groupId: options.groupId,
    inbox: orderInbox,
    decode: (value) => decodeEvent(inventoryEvent, value),
    apply: async (tx, events) => {
      const decisions = events.flatMap((e) => toDecision(e) ?? []);
      finalized = await applyDecisions(tx, options.orderEventsTopic, decisions);
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

function toDecision({ event, traceparent }: ConsumedEvent<InventoryEvent>): Decision | undefined {
  switch (event.type) {
    case 'inventory.reserved':
      return { orderId: event.payload.orderId, status: 'CONFIRMED', reason: null, traceparent };
    case 'inventory.rejected':
      return {
        orderId: event.payload.orderId,
        status: 'REJECTED',
        reason: event.payload.reason,
        traceparent,
      };
    case 'inventory.released':
      return undefined;
  }
}
