import { describe, expect, it } from 'vitest';
import { notificationId } from './notification-id.ts';

describe('notificationId', () => {
  const order = '0b6f4f7e-5f43-4a53-9f0e-6f6d2b8a1c11';

  it('is a stable version-5 UUID per order and status', () => {
    const a = notificationId(order, 'CONFIRMED');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(notificationId(order, 'CONFIRMED')).toBe(a);
    expect(notificationId('1b6f4f7e-5f43-4a53-9f0e-6f6d2b8a1c11', 'CONFIRMED')).not.toBe(a);
    const statuses = ['CONFIRMED', 'CANCELLED', 'EXPIRED'] as const;
    expect(new Set(statuses.map((s) => notificationId(order, s))).size).toBe(3);
  });

  it('keeps the id a decision had when there was one notification per order', () => {
    // The value the previous release derived from the order id alone.
    expect(notificationId(order, 'CONFIRMED')).toBe('f7708d3b-a565-5df5-90c8-27b7f1a1a601');
    expect(notificationId(order, 'REJECTED')).toBe(notificationId(order, 'CONFIRMED'));
  });
});
