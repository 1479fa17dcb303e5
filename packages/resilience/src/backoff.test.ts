import { describe, expect, it } from 'vitest';
import { backoffDelay, settlesWithin, sleep } from './backoff.ts';

describe('backoffDelay', () => {
  const options = { initialMs: 200, maxMs: 10_000, jitter: 0.3 };

  it('doubles from the initial delay up to the cap when the jitter draws 0', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelay(attempt, options, () => 0));
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]);
  });

  it('takes at most the jitter share off the nominal delay', () => {
    expect(backoffDelay(3, options, () => 1)).toBe(560);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(3, options);
      expect(delay).toBeGreaterThanOrEqual(560);
      expect(delay).toBeLessThanOrEqual(800);
    }
  });

  it('never exceeds the cap, even for huge attempt numbers', () => {
    expect(backoffDelay(10_000, options, () => 0)).toBe(10_000);
  });
});

describe('sleep', () => {
  it('resolves early when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = sleep(10_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('settlesWithin', () => {
  it('tells whether the promise settled (resolved or rejected) in time', async () => {
    await expect(settlesWithin(Promise.resolve(1), 50)).resolves.toBe(true);
    await expect(settlesWithin(Promise.reject(new Error('x')), 50)).resolves.toBe(true);
    await expect(settlesWithin(new Promise(() => {}), 20)).resolves.toBe(false);
  });
});
