import { describe, expect, it } from 'vitest';
import { dueCount, intendedAt, msUntilNext, rateSchedule } from './rate-schedule.ts';

describe('rateSchedule', () => {
  it('spaces requests evenly by the wall clock', () => {
    const s = rateSchedule(500, 60_000);
    expect(s.total).toBe(30_000);
    expect(intendedAt(s, 0)).toBe(0);
    expect(intendedAt(s, 1)).toBe(2);
    expect(intendedAt(s, 29_999)).toBeCloseTo(59_998, 6);
  });

  it('counts what is due, including a request due exactly now', () => {
    const s = rateSchedule(3, 1000);
    expect(dueCount(s, -1)).toBe(0);
    expect(dueCount(s, 0)).toBe(1);
    expect(dueCount(s, 333)).toBe(1);
    expect(dueCount(s, 1000 / 3)).toBe(2);
    expect(dueCount(s, 667)).toBe(3);
    expect(dueCount(s, 5000)).toBe(3);
  });

  it('agrees with intendedAt for every request (no float drift)', () => {
    for (const rate of [7, 333, 1000, 2345.6]) {
      const s = rateSchedule(rate, 10_000);
      for (let i = 0; i < s.total; i += 97) {
        expect(dueCount(s, intendedAt(s, i))).toBe(i + 1);
        expect(dueCount(s, intendedAt(s, i) - 0.001)).toBe(i);
      }
    }
  });

  it('does not slow down when the sender falls behind: everything overdue is due at once', () => {
    const s = rateSchedule(1000, 10_000);
    // A sender that stalled for 250 ms finds 250 more requests due, not one.
    expect(dueCount(s, 250) - dueCount(s, 0)).toBe(250);
    expect(msUntilNext(s, 10, 250)).toBe(0);
    expect(msUntilNext(s, 251, 250)).toBe(1);
    expect(msUntilNext(s, s.total, 99_999)).toBeUndefined();
  });

  it('rejects nonsense', () => {
    expect(() => rateSchedule(0, 1000)).toThrow();
    expect(() => rateSchedule(10, 0)).toThrow();
    expect(rateSchedule(0.5, 1000).total).toBe(1);
  });
});
