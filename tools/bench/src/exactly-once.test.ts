import { describe, expect, it } from 'vitest';
import { checkExactlyOnce, type RunFacts } from './exactly-once.ts';

function facts(overrides: Partial<RunFacts> = {}): RunFacts {
  return {
    orders: [
      { id: 'a', item: 'Phone', quantity: 2, status: 'CONFIRMED', createdAt: 0, updatedAt: 5 },
      { id: 'b', item: 'Laptop', quantity: 1, status: 'REJECTED', createdAt: 0, updatedAt: 5 },
    ],
    reservations: [
      { orderId: 'a', item: 'Phone', quantity: 2, status: 'RESERVED' },
      { orderId: 'b', item: 'Laptop', quantity: 1, status: 'REJECTED' },
    ],
    notifications: [
      { orderId: 'a', status: 'CONFIRMED', createdAt: 6, deliveredAt: 7, deliveryStatus: 'SENT' },
      { orderId: 'b', status: 'REJECTED', createdAt: 6, deliveredAt: undefined, deliveryStatus: 'PENDING' },
    ],
    stockBefore: new Map([
      ['Phone', 10],
      ['Laptop', 0],
    ]),
    stockAfter: new Map([
      ['Phone', 8],
      ['Laptop', 0],
    ]),
    reservedSince: new Map([['Phone', 2]]),
    ...overrides,
  };
}

describe('checkExactlyOnce', () => {
  it('passes a clean run', () => {
    const result = checkExactlyOnce(['a', 'b'], facts());
    expect(result).toEqual({
      ok: true,
      checkedOrders: 2,
      lost: 0,
      duplicated: 0,
      inconsistent: 0,
      problems: [],
    });
  });

  it('counts an order answered 201 but never stored, decided or notified as lost', () => {
    const f = facts();
    f.notifications.pop();
    const result = checkExactlyOnce(['a', 'b', 'c'], f);
    expect(result.ok).toBe(false);
    expect(result.lost).toBe(2);
    expect(result.problems).toContain('order c answered 201 but is not stored');
    expect(result.problems.join('\n')).toMatch(/order b is REJECTED with 1 decision\(s\) and 0 notification/);
  });

  it('counts a PENDING order as lost (not final after the drain)', () => {
    const f = facts();
    const order = f.orders[0];
    if (order) order.status = 'PENDING';
    expect(checkExactlyOnce(['a', 'b'], f).lost).toBe(1);
  });

  it('counts a second decision, a second notification or a repeated id as duplicated', () => {
    const f = facts();
    f.notifications.push({
      orderId: 'a',
      status: 'CONFIRMED',
      createdAt: 9,
      deliveredAt: undefined,
      deliveryStatus: 'PENDING',
    });
    const result = checkExactlyOnce(['a', 'b', 'b'], f);
    expect(result.ok).toBe(false);
    expect(result.duplicated).toBe(2);
  });

  it('flags disagreeing statuses and stock that is not conserved', () => {
    const f = facts({ stockAfter: new Map([['Phone', 7]]) });
    const order = f.orders[1];
    if (order) order.status = 'CONFIRMED';
    const result = checkExactlyOnce(['a', 'b'], f);
    expect(result.inconsistent).toBe(3); // b disagrees; Phone off by one; Laptop missing after
    expect(
      result.problems.some((p) => p.startsWith('stock of Phone: 10 - 2 reserved = 8, but it is 7')),
    ).toBe(true);
  });

  it('keeps only the first problems but counts them all', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `x${i}`);
    const result = checkExactlyOnce(ids, facts(), 5);
    expect(result.lost).toBe(100);
    expect(result.problems).toHaveLength(5);
  });
});
