import { createHash } from 'node:crypto';

// A fixed namespace for name-based (version 5) UUIDs of notifications.
const NAMESPACE = Buffer.from('6f1d7c3a9b2e4f5a8c0d1e2f3a4b5c6d', 'hex');

/**
 * The notification id of an order, derived from the order id (UUID v5). The same order always gets
 * the same id — also after a deliberate rebuild — so the webhook's Idempotency-Key stays stable.
 */
export function notificationId(orderId: string): string {
  const bytes = createHash('sha1').update(NAMESPACE).update(orderId).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
