import { z } from 'zod';
import { boundedText, HEADER_TOKEN, itemName, LIMITS, NAME_TEXT } from './limits.ts';

// HTTP request and response schemas, shared by the services (validation + OpenAPI) and clients.

/**
 * PENDING → CONFIRMED | REJECTED | CANCELLED | EXPIRED, and CONFIRMED → CANCELLED. REJECTED,
 * CANCELLED and EXPIRED are terminal; every status but PENDING is a decision (`?wait` returns).
 */
export const orderStatus = z.enum(['PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED', 'EXPIRED']);
export type OrderStatus = z.infer<typeof orderStatus>;
/** Statuses no further change can leave. */
export const TERMINAL_ORDER_STATUSES: readonly OrderStatus[] = ['REJECTED', 'CANCELLED', 'EXPIRED'];
/** The statuses a cancel moves from. */
export const CANCELLABLE_ORDER_STATUSES: readonly OrderStatus[] = ['PENDING', 'CONFIRMED'];

export const createOrderRequest = z
  .strictObject({
    item: itemName,
    quantity: z.number().int().min(LIMITS.quantityMin).max(LIMITS.quantityMax),
  })
  .meta({ examples: [{ item: 'Laptop', quantity: 1 }] });
export type CreateOrderRequest = z.infer<typeof createOrderRequest>;

const headerToken = (max: number) =>
  z.string().max(max).regex(HEADER_TOKEN, 'must be visible ASCII characters (inner spaces allowed)');

/** Headers POST /orders reads; others are ignored. */
export const createOrderHeaders = z.looseObject({
  /** Makes retries safe: the same key (per API key) returns the same order, never a second one. */
  'idempotency-key': headerToken(LIMITS.idempotencyKeyMaxLength).optional(),
  'x-correlation-id': headerToken(200).optional(),
  /** W3C trace context; a malformed one is ignored (a new trace starts), as the standard asks. */
  traceparent: z
    .string()
    .max(200)
    .regex(/^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/, 'must be visible ASCII characters')
    .optional(),
});

/** Headers POST /orders/:id/cancel reads. */
export const cancelOrderHeaders = z.looseObject({
  /** A retry of the cancel with the same key (per API key) answers 200 again, not 409. */
  'idempotency-key': headerToken(LIMITS.idempotencyKeyMaxLength).optional(),
  traceparent: createOrderHeaders.shape.traceparent,
});

export const orderResponse = z.object({
  id: z.uuid(),
  item: z.string(),
  quantity: z.number().int(),
  status: orderStatus,
  reason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type OrderResponse = z.infer<typeof orderResponse>;

/**
 * A page cursor: `<created-at, epoch ms>.<order id>` (keyset pagination). Clients pass back the
 * `nextCursor` they got; the format is published so that any value of this shape is a valid cursor.
 */
export const ORDER_CURSOR =
  /^[0-9]{1,13}\.[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const listOrdersQuery = z.strictObject({
  status: orderStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().regex(ORDER_CURSOR, 'must be a nextCursor returned by GET /orders').optional(),
});

export const orderListResponse = z.object({
  items: z.array(orderResponse),
  nextCursor: z.string().nullable(),
});

/** A free-text reason: printable, no whitespace at either end (stored as sent). */
function reasonText(max: number) {
  return boundedText(1, max).regex(
    NAME_TEXT,
    'must not contain control characters, nor start or end with whitespace',
  );
}

export const orderIdParams = z.strictObject({ id: z.uuid() });

/** The longest `GET /orders/:id?wait=` a client may ask for. */
export const MAX_ORDER_WAIT_MS = 60_000;

/**
 * A wait of at most 60 s: milliseconds (`0ms`…`60000ms`), seconds (`30`, `2.5s`, up to `60s`) or
 * minutes (`0.5m`, `1m`). The bound is in the pattern so that every value it matches is accepted.
 */
export const ORDER_WAIT =
  /^(?:(?:[0-5]?[0-9]{1,4}|60000)ms|(?:[0-5]?[0-9](?:\.[0-9]{1,3})?|60(?:\.0{1,3})?)s?|(?:0(?:\.[0-9]{1,3})?|1(?:\.0{1,3})?)m)$/;

/**
 * `wait`: how long to wait for a decision, `500ms`, `30s`, `1m`, or a number of seconds (at most
 * 60 s); parsed by the route, which answers 422 naming `query.wait` beyond the maximum.
 */
export const getOrderQuery = z.strictObject({
  wait: z.string().regex(ORDER_WAIT, 'a duration of at most 60s such as 500ms, 30s or 1m').optional(),
});

export const cancelOrderRequest = z
  .strictObject({ reason: reasonText(LIMITS.reasonMaxLength).optional() })
  .meta({ examples: [{ reason: 'changed my mind' }] });
export type CancelOrderRequest = z.infer<typeof cancelOrderRequest>;

/**
 * `onHand`: units the shop holds (initial stock + adjustments); `reserved`: units held by
 * reservations of orders not cancelled or expired; `available` = onHand − reserved, never negative:
 * what new orders can reserve. `stock` is `available` under its original name. `version` changes
 * with every change of the item and is its ETag.
 */
export const inventoryItemResponse = z.object({
  item: z.string(),
  stock: z.number().int(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  version: z.number().int(),
  updatedAt: z.string(),
});
export type InventoryItemResponse = z.infer<typeof inventoryItemResponse>;

export const inventoryListResponse = z.object({ items: z.array(inventoryItemResponse) });

export const itemParams = z.strictObject({ item: itemName.meta({ examples: ['Laptop'] }) });

/** Sets the available stock (on hand becomes stock + reserved); send If-Match to avoid a stale write. */
export const setStockRequest = z
  .strictObject({ stock: z.number().int().min(0).max(LIMITS.stockMax) })
  .meta({ examples: [{ stock: 50 }] });

/** Units added to (positive) or removed from (negative) the stock on hand; never 0. */
const stockDelta = z.union([
  z.number().int().min(-LIMITS.stockMax).max(-1),
  z.number().int().min(1).max(LIMITS.stockMax),
]);

/** Headers PUT /inventory/:item reads: `If-Match` with the ETag of a GET (or `*`) makes the write conditional. */
export const setStockHeaders = z.looseObject({
  'if-match': headerToken(200).optional(),
});

/** Headers POST /inventory/:item/adjustments reads. */
export const adjustmentHeaders = z.looseObject({
  /** A retry with the same key (per API key) returns the first adjustment, never a second one. */
  'idempotency-key': headerToken(LIMITS.idempotencyKeyMaxLength).optional(),
});

export const adjustmentRequest = z
  .strictObject({ delta: stockDelta, reason: reasonText(LIMITS.movementReasonMaxLength) })
  .meta({ examples: [{ delta: 10, reason: 'restock' }] });
export type AdjustmentRequest = z.infer<typeof adjustmentRequest>;

export const movementKind = z.enum(['opening', 'adjustment', 'set', 'reservation', 'release']);
export type MovementKind = z.infer<typeof movementKind>;

/** One change of an item's stock, with the levels after it (the audit trail). */
export const movementResponse = z.object({
  id: z.string(),
  item: z.string(),
  kind: movementKind,
  onHandDelta: z.number().int(),
  reservedDelta: z.number().int(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  reason: z.string().nullable(),
  orderId: z.uuid().nullable(),
  eventId: z.uuid().nullable(),
  createdAt: z.string(),
});
export type MovementResponse = z.infer<typeof movementResponse>;

export const adjustmentResponse = z.object({ item: inventoryItemResponse, movement: movementResponse });

export const listMovementsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** `nextCursor` of the previous page. */
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, 'a cursor returned by this API')
    .optional(),
});

export const movementListResponse = z.object({
  items: z.array(movementResponse),
  nextCursor: z.string().nullable(),
});

/** One notification per status an order reaches (PENDING is not announced). */
export const notificationStatus = z.enum(['CONFIRMED', 'REJECTED', 'CANCELLED', 'EXPIRED']);
export type NotificationStatus = z.infer<typeof notificationStatus>;

export const notificationResponse = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  status: notificationStatus,
  message: z.string(),
  deliveryStatus: z.enum(['PENDING', 'SENT', 'FAILED']),
  createdAt: z.string(),
});
export type NotificationResponse = z.infer<typeof notificationResponse>;

export const listNotificationsQuery = z.strictObject({
  orderId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const notificationListResponse = z.object({ items: z.array(notificationResponse) });

/** RFC 9457 problem details, with field-level errors for validation failures. */
export const problemResponse = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  code: z.string(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof problemResponse>;

/** GET /health/live. */
export const healthResponse = z.object({ status: z.literal('ok') });

/** GET /health/ready: each dependency check by name, with what it saw. */
export const readinessResponse = z.object({
  status: z.enum(['ready', 'not-ready']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
});

/** 409 of a cancel: the order cannot be cancelled from its status; `order` is its current state. */
export const orderConflictProblem = problemResponse.extend({ order: orderResponse });

/**
 * 409 of an adjustment or 412 of a conditional PUT: `item` is the item's current state (absent when
 * an If-Match named an item that does not exist).
 */
export const inventoryConflictProblem = problemResponse.extend({ item: inventoryItemResponse.optional() });
