import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep } from './backoff.ts';

describe('backoffDelay', () => {
  const options = { initialMs: 100, maxMs: 1000, jitter: 0 };

  it('grows exponentially and caps at maxMs', () => {
    expect([1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, options))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('spreads the delay by the jitter share', () => {
    const low = backoffDelay(1, { initialMs: 100, maxMs: 1000, jitter: 0.5 }, () => 0);
    const high = backoffDelay(1, { initialMs: 100, maxMs: 1000, jitter: 0.5 }, () => 1);
    expect(low).toBe(50);
    expect(high).toBe(150);
  });
});

describe('sleep', () => {
  it('returns early when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(10_000, controller.signal);
    controller.abort();
    await pending;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
