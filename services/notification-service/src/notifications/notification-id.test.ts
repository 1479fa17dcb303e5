import { describe, expect, it } from 'vitest';
import { notificationId } from './notification-id.ts';

describe('notificationId', () => {
  it('is a stable version-5 UUID per order', () => {
    const a = notificationId('0b6f4f7e-5f43-4a53-9f0e-6f6d2b8a1c11');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(notificationId('0b6f4f7e-5f43-4a53-9f0e-6f6d2b8a1c11')).toBe(a);
    expect(notificationId('1b6f4f7e-5f43-4a53-9f0e-6f6d2b8a1c11')).not.toBe(a);
  });
});
