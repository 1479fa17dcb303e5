import { z } from 'zod';
import { boundedText, LIMITS, PRINTABLE_TEXT } from './limits.ts';

// Versioned JSON envelope. The payload keeps the original proof of concept's fields
// (orderId, item, quantity, status) so existing readers of the topics still understand them.

// Lengths in code points, as HTTP counts them (an item of 100 emoji is a valid order, so a valid event).
// Readers stay tolerant: no whitespace rule here, only what every stored item satisfies.
const item = boundedText(LIMITS.itemMinLength, LIMITS.itemMaxLength).regex(PRINTABLE_TEXT);
const quantity = z.number().int().min(LIMITS.quantityMin).max(LIMITS.quantityMax);

/**
 * The major version of the event envelope this code writes and reads. Within a major, producers only
 * add optional fields (announced by `minor`); consumers read tolerantly (unknown fields are ignored).
 * A different major is parked by consumers, never dead-lettered. See docs/architecture.md, "Event
 * evolution".
 */
export const EVENT_MAJOR_VERSION = 1;

const orderCreatedShape = {
  orderId: z.uuid(),
  item,
  quantity,
  status: z.literal('PENDING'),
};

const inventoryReservedShape = {
  orderId: z.uuid(),
  item,
  quantity,
  status: z.literal('RESERVED'),
  /** Stock left for the item after this reservation. */
  remainingStock: z.number().int().min(0),
};

export const rejectionCode = z.enum(['UNKNOWN_ITEM', 'INSUFFICIENT_STOCK']);

const reason = z.string().min(1).max(LIMITS.reasonMaxLength);

// order-service's status changes, written in the same transaction as the change: the source of
// notifications (one per state an order reaches) and, for cancel/expiry, of stock releases.

const orderConfirmedShape = { orderId: z.uuid(), item, quantity, status: z.literal('CONFIRMED') };

const orderRejectedShape = { orderId: z.uuid(), item, quantity, status: z.literal('REJECTED'), reason };

const orderCancelledShape = {
  orderId: z.uuid(),
  item,
  quantity,
  status: z.literal('CANCELLED'),
  /** The status the order was cancelled from. */
  previousStatus: z.enum(['PENDING', 'CONFIRMED']),
  /** The client's reason, when it gave one. */
  reason: reason.optional(),
};

const orderExpiredShape = { orderId: z.uuid(), item, quantity, status: z.literal('EXPIRED'), reason };

/** inventory-service gave back the stock of a reservation whose order was cancelled or expired. */
const inventoryReleasedShape = {
  orderId: z.uuid(),
  item,
  quantity,
  status: z.literal('RELEASED'),
  /** Why: the order's final status. */
  cause: z.enum(['CANCELLED', 'EXPIRED']),
  /** Stock available for the item after the release. */
  availableStock: z.number().int().min(0),
};

const inventoryRejectedShape = {
  orderId: z.uuid(),
  item,
  quantity,
  status: z.literal('REJECTED'),
  reasonCode: rejectionCode,
  reason,
};

export const orderCreatedPayload = z.strictObject(orderCreatedShape);
export const inventoryReservedPayload = z.strictObject(inventoryReservedShape);
export const inventoryRejectedPayload = z.strictObject(inventoryRejectedShape);

/**
 * Writers are strict (an unknown field is a bug in our producer); readers are tolerant: fields a
 * newer minor version added are dropped, at every level, so the consumer sees the fields it knows.
 */
type Mode = 'write' | 'read';

function envelope<T extends string, S extends z.core.$ZodLooseShape>(type: T, payload: S, mode: Mode) {
  const object = mode === 'write' ? z.strictObject : z.object;
  return object({
    id: z.uuid(),
    type: z.literal(type),
    /** Major version: a consumer reads the majors it knows and parks the others. */
    version: z.literal(EVENT_MAJOR_VERSION),
    /** Minor version within the major (absent = 0): only optional fields were added since 0. */
    minor: z.int().min(0).optional(),
    occurredAt: z.iso.datetime({ offset: true }),
    source: z.string().min(1).max(100),
    correlationId: z.string().min(1).max(200).optional(),
    payload: object(payload),
  });
}

/** What producers write (encodeEvent validates with these); also the published JSON Schemas. */
export const orderCreatedEvent = envelope('order.created', orderCreatedShape, 'write');
export const inventoryReservedEvent = envelope('inventory.reserved', inventoryReservedShape, 'write');
export const inventoryRejectedEvent = envelope('inventory.rejected', inventoryRejectedShape, 'write');
export const orderConfirmedEvent = envelope('order.confirmed', orderConfirmedShape, 'write');
export const orderRejectedEvent = envelope('order.rejected', orderRejectedShape, 'write');
export const orderCancelledEvent = envelope('order.cancelled', orderCancelledShape, 'write');
export const orderExpiredEvent = envelope('order.expired', orderExpiredShape, 'write');
export const inventoryReleasedEvent = envelope('inventory.released', inventoryReleasedShape, 'write');

/** Everything on `order-events`, as a consumer reads it (tolerant). */
export const orderEvent = z.discriminatedUnion('type', [
  envelope('order.created', orderCreatedShape, 'read'),
  envelope('order.confirmed', orderConfirmedShape, 'read'),
  envelope('order.rejected', orderRejectedShape, 'read'),
  envelope('order.cancelled', orderCancelledShape, 'read'),
  envelope('order.expired', orderExpiredShape, 'read'),
]);
/** Everything on `inventory-events`, as a consumer reads it (tolerant). */
export const inventoryEvent = z.discriminatedUnion('type', [
  envelope('inventory.reserved', inventoryReservedShape, 'read'),
  envelope('inventory.rejected', inventoryRejectedShape, 'read'),
  envelope('inventory.released', inventoryReleasedShape, 'read'),
]);

/**
 * The envelope fields every event of every version has had and will keep: enough to tell an event
 * of a newer producer (another major, or a type this consumer does not know) from a malformed one.
 */
export const envelopeHeader = z.object({
  id: z.uuid(),
  type: z.string().regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/),
  version: z.int().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  source: z.string().min(1).max(100),
  payload: z.record(z.string(), z.unknown()),
});

export type OrderCreatedEvent = z.infer<typeof orderCreatedEvent>;
export type InventoryReservedEvent = z.infer<typeof inventoryReservedEvent>;
export type InventoryRejectedEvent = z.infer<typeof inventoryRejectedEvent>;
export type OrderConfirmedEvent = z.infer<typeof orderConfirmedEvent>;
export type OrderRejectedEvent = z.infer<typeof orderRejectedEvent>;
export type OrderCancelledEvent = z.infer<typeof orderCancelledEvent>;
export type OrderExpiredEvent = z.infer<typeof orderExpiredEvent>;
export type InventoryReleasedEvent = z.infer<typeof inventoryReleasedEvent>;
export type OrderEvent = z.infer<typeof orderEvent>;
/** The order-events that announce a status an order reached (everything but order.created). */
export type OrderStatusEvent = Exclude<OrderEvent, { type: 'order.created' }>;
export type InventoryEvent = z.infer<typeof inventoryEvent>;
export type RejectionCode = z.infer<typeof rejectionCode>;

/** Published JSON Schema files (packages/contracts/schemas), one per event type. */
export const EVENT_SCHEMAS = {
  'order.created.v1': orderCreatedEvent,
  'inventory.reserved.v1': inventoryReservedEvent,
  'inventory.rejected.v1': inventoryRejectedEvent,
  'inventory.released.v1': inventoryReleasedEvent,
  'order.confirmed.v1': orderConfirmedEvent,
  'order.rejected.v1': orderRejectedEvent,
  'order.cancelled.v1': orderCancelledEvent,
  'order.expired.v1': orderExpiredEvent,
} as const;
