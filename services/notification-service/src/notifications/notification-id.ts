import { createHash } from 'node:crypto';
import type { NotificationStatus } from '@kafka-poc/contracts';

// A fixed namespace for name-based (version 5) UUIDs of notifications.
const NAMESPACE = Buffer.from('6f1d7c3a9b2e4f5a8c0d1e2f3a4b5c6d', 'hex');

/**
 * The id of an order's notification of a status, derived from both (UUID v5). The same notification
 * always gets the same id — also after a deliberate rebuild or a replay — so the webhook's
 * Idempotency-Key stays stable. The decision (CONFIRMED, REJECTED) keeps the id it had when there
 * was one notification per order (from the order id alone), so a notification stored before the
 * upgrade and the same one announced again after it are one and the same.
 */
export function notificationId(orderId: string, status: NotificationStatus): string {
  const name = status === 'CONFIRMED' || status === 'REJECTED' ? orderId : `${orderId}/${status}`;
  const bytes = createHash('sha1').update(NAMESPACE).update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
