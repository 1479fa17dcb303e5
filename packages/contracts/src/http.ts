import { z } from 'zod';
import { LIMITS, PRINTABLE_TEXT } from './limits.ts';

// HTTP request and response schemas, shared by the services (validation + OpenAPI) and clients.

export const orderStatus = z.enum(['PENDING', 'CONFIRMED', 'REJECTED']);
export type OrderStatus = z.infer<typeof orderStatus>;

const itemName = z
  .string()
  .trim()
  .min(LIMITS.itemMinLength)
  .max(LIMITS.itemMaxLength)
  .regex(PRINTABLE_TEXT, 'must not contain control characters');

export const createOrderRequest = z.strictObject({
  item: itemName,
  quantity: z.number().int().min(LIMITS.quantityMin).max(LIMITS.quantityMax),
});
export type CreateOrderRequest = z.infer<typeof createOrderRequest>;

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

export const listOrdersQuery = z.strictObject({
  status: orderStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
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

export const itemParams = z.strictObject({ item: itemName });

export const setStockRequest = z.strictObject({
  stock: z.number().int().min(0).max(LIMITS.stockMax),
});

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
