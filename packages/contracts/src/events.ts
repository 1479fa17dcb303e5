import { z } from 'zod';
import { LIMITS, PRINTABLE_TEXT } from './limits.ts';

// Versioned JSON envelope. The payload keeps the original proof of concept's fields
// (orderId, item, quantity, status) so existing readers of the topics still understand them.

const item = z.string().min(LIMITS.itemMinLength).max(LIMITS.itemMaxLength).regex(PRINTABLE_TEXT);
const quantity = z.number().int().min(LIMITS.quantityMin).max(LIMITS.quantityMax);

export const orderCreatedPayload = z.strictObject({
  orderId: z.uuid(),
  item,
  quantity,
  status: z.literal('PENDING'),
});

export const inventoryReservedPayload = z.strictObject({
  orderId: z.uuid(),
  item,
  quantity,
  status: z.literal('RESERVED'),
  /** Stock left for the item after this reservation. */
  remainingStock: z.number().int().min(0),
});

export const rejectionCode = z.enum(['UNKNOWN_ITEM', 'INSUFFICIENT_STOCK']);

export const inventoryRejectedPayload = z.strictObject({
  orderId: z.uuid(),
  item,
  quantity,
  status: z.literal('REJECTED'),
  reasonCode: rejectionCode,
  reason: z.string().min(1).max(LIMITS.reasonMaxLength),
});

function envelope<T extends string, P extends z.ZodType>(type: T, payload: P) {
  return z.strictObject({
    id: z.uuid(),
    type: z.literal(type),
    version: z.literal(1),
    occurredAt: z.iso.datetime({ offset: true }),
    source: z.string().min(1).max(100),
    correlationId: z.string().min(1).max(200).optional(),
    payload,
  });
}

export const orderCreatedEvent = envelope('order.created', orderCreatedPayload);
export const inventoryReservedEvent = envelope('inventory.reserved', inventoryReservedPayload);
export const inventoryRejectedEvent = envelope('inventory.rejected', inventoryRejectedPayload);

/** Everything on `order-events`. */
export const orderEvent = z.discriminatedUnion('type', [orderCreatedEvent]);
/** Everything on `inventory-events`. */
export const inventoryEvent = z.discriminatedUnion('type', [inventoryReservedEvent, inventoryRejectedEvent]);

export type OrderCreatedEvent = z.infer<typeof orderCreatedEvent>;
export type InventoryReservedEvent = z.infer<typeof inventoryReservedEvent>;
export type InventoryRejectedEvent = z.infer<typeof inventoryRejectedEvent>;
export type OrderEvent = z.infer<typeof orderEvent>;
export type InventoryEvent = z.infer<typeof inventoryEvent>;
export type RejectionCode = z.infer<typeof rejectionCode>;

/** Published JSON Schema files (packages/contracts/schemas), one per event type. */
export const EVENT_SCHEMAS = {
  'order.created.v1': orderCreatedEvent,
  'inventory.reserved.v1': inventoryReservedEvent,
  'inventory.rejected.v1': inventoryRejectedEvent,
} as const;
