import { z } from 'zod';
import { HEADER_TOKEN, itemName, LIMITS } from './limits.ts';

// HTTP request and response schemas, shared by the services (validation + OpenAPI) and clients.

export const orderStatus = z.enum(['PENDING', 'CONFIRMED', 'REJECTED']);
export type OrderStatus = z.infer<typeof orderStatus>;

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

export const orderIdParams = z.strictObject({ id: z.uuid() });

export const inventoryItemResponse = z.object({
  item: z.string(),
  stock: z.number().int(),
  updatedAt: z.string(),
});
export type InventoryItemResponse = z.infer<typeof inventoryItemResponse>;

export const inventoryListResponse = z.object({ items: z.array(inventoryItemResponse) });

export const itemParams = z.strictObject({ item: itemName.meta({ examples: ['Laptop'] }) });

export const setStockRequest = z
  .strictObject({ stock: z.number().int().min(0).max(LIMITS.stockMax) })
  .meta({ examples: [{ stock: 50 }] });

export const notificationResponse = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  status: z.enum(['CONFIRMED', 'REJECTED']),
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
