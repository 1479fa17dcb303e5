import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onDemandSample } from './on-demand-sample.ts';

describe('onDemandSample', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs once for asks at the same time, and not again while the sample is fresh', async () => {
    const sample = vi.fn(async () => undefined);
    const ask = onDemandSample(sample, { maxAgeMs: 1000, waitMs: 3000 });
    await Promise.all([ask(), ask(), ask()]);
    expect(sample).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(999);
    await ask();
    expect(sample).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await ask();
    expect(sample).toHaveBeenCalledTimes(2);
  });

  it('waits at most waitMs for a hanging sample, and the next ask joins the same run', async () => {
    let finish: () => void = () => undefined;
    const sample = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const ask = onDemandSample(sample, { maxAgeMs: 1000, waitMs: 3000 });
    let answered = false;
    const first = ask().then(() => (answered = true));
    await vi.advanceTimersByTimeAsync(2999);
    expect(answered).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await first;
    const second = ask();
    expect(sample).toHaveBeenCalledTimes(1);
    finish();
    await second;
    expect(sample).toHaveBeenCalledTimes(1);
  });

  it('a failed sample is asked again once it is no longer fresh', async () => {
    const sample = vi.fn(async () => {
      throw new Error('broker unreachable');
    });
    const ask = onDemandSample(sample, { maxAgeMs: 1000, waitMs: 3000 });
    await expect(ask()).resolves.toBeUndefined();
    await vi.advanceTimersByTimeAsync(1000);
    await ask();
    expect(sample).toHaveBeenCalledTimes(2);
  });
});
