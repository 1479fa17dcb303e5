import { orderStatus } from '@kafka-poc/contracts';
import { describe, expect, it } from 'vitest';
import {
  allDone,
  allFinal,
  assertNoExpiry,
  completionOf,
  describeCompletion,
  FINAL_STATUSES,
  isDone,
  STATUSES,
} from './completion.ts';

const order = (id: string, status: string, notified = true) => ({ id, status, notified });

describe('order completion', () => {
  it('knows every status of the contracts; every one but PENDING is final', () => {
    expect(STATUSES).toEqual(orderStatus.options);
    expect([...FINAL_STATUSES].sort()).toEqual(['CANCELLED', 'CONFIRMED', 'EXPIRED', 'REJECTED']);
  });

  it('an order is done when final and notified of its status', () => {
    expect(isDone(order('a', 'CONFIRMED'))).toBe(true);
    expect(isDone(order('a', 'EXPIRED'))).toBe(true);
    expect(isDone(order('a', 'CANCELLED'))).toBe(true);
    expect(isDone(order('a', 'CONFIRMED', false))).toBe(false);
    expect(isDone(order('a', 'PENDING'))).toBe(false);
    expect(isDone(order('a', 'ON_HOLD'))).toBe(false);
  });

  it('counts per status, missing and unnotified orders', () => {
    const c = completionOf(
      ['a', 'b', 'c', 'd', 'e', 'f'],
      [
        order('a', 'CONFIRMED'),
        order('b', 'REJECTED'),
        order('c', 'EXPIRED'),
        order('d', 'CANCELLED', false),
        order('e', 'PENDING', false),
        order('x', 'CONFIRMED'),
      ],
    );
    expect(c.byStatus).toEqual({ PENDING: 1, CONFIRMED: 1, REJECTED: 1, CANCELLED: 1, EXPIRED: 1 });
    expect(c).toMatchObject({ total: 6, missing: 1, done: 3, unnotified: 1, unknown: {} });
    expect(allDone(c)).toBe(false);
    expect(allFinal(c)).toBe(false);
    expect(describeCompletion(c)).toBe(
      'CONFIRMED 1, REJECTED 1, CANCELLED 1, EXPIRED 1, PENDING 1, not stored 1; 3 of 6 done, 1 final but not notified yet',
    );
  });

  it('is done when every order is final and notified, whatever its final status', () => {
    const c = completionOf(['a', 'b'], [order('a', 'CONFIRMED'), order('b', 'EXPIRED')]);
    expect(allDone(c)).toBe(true);
    expect(allFinal(c)).toBe(true);
    expect(completionOf([], [])).toMatchObject({ total: 0, done: 0 });
    expect(allDone(completionOf([], []))).toBe(true);
  });

  it('decided but not notified: final, not done', () => {
    const c = completionOf(['a'], [order('a', 'REJECTED', false)]);
    expect(allFinal(c)).toBe(true);
    expect(allDone(c)).toBe(false);
  });

  it('reports a status it does not know instead of counting it done', () => {
    const c = completionOf(['a'], [order('a', 'ON_HOLD')]);
    expect(c.unknown).toEqual({ ON_HOLD: 1 });
    expect(allDone(c)).toBe(false);
    expect(describeCompletion(c)).toContain('unknown status ON_HOLD 1');
  });

  it('a demo expecting no expiry fails on one and says so otherwise', () => {
    const none = completionOf(['a'], [order('a', 'CONFIRMED')]);
    expect(assertNoExpiry(none)).toBe('0 EXPIRED, as expected');
    const one = completionOf(['a', 'b'], [order('a', 'CONFIRMED'), order('b', 'EXPIRED')]);
    expect(() => assertNoExpiry(one)).toThrow('1 of 2 orders EXPIRED, expected none');
  });
});
