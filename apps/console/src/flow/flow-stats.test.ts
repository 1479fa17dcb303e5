import { describe, expect, it } from 'vitest';
import { toSeries } from './flow-stats.ts';

describe('toSeries', () => {
  it('fills every bucket of the window, as rates per second', () => {
    const series = toSeries(
      [{ b: '3', n: '10', p50: null, p95: null }],
      [{ b: '4', n: '5', p50: 12.345, p95: 40 }],
      { end: 5000, windowMs: 3000, bucketMs: 1000 },
    );
    expect(series).toEqual([
      { t: 2000, accepted: 0, decided: 0, p50Ms: null, p95Ms: null },
      { t: 3000, accepted: 10, decided: 0, p50Ms: null, p95Ms: null },
      { t: 4000, accepted: 0, decided: 5, p50Ms: 12.3, p95Ms: 40 },
    ]);
  });
});
