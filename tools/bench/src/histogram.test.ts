import { describe, expect, it } from 'vitest';
import { Histogram } from './histogram.ts';

/** Exact nearest-rank percentile of a list, for comparison. */
function exactPercentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((q / 100) * sorted.length));
  return sorted[rank - 1] ?? 0;
}

describe('Histogram', () => {
  it('reports nearest-rank percentiles within the bucket precision', () => {
    const values: number[] = [];
    let seed = 42;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // Log-uniform between 100 µs and 10 s, like latencies.
      values.push(Math.round(100 * 10 ** (5 * (seed / 2 ** 31))));
    }
    const h = Histogram.fromValues(values);
    for (const q of [50, 90, 99, 99.9]) {
      const exact = exactPercentile(values, q);
      const got = h.percentile(q);
      expect(got).toBeGreaterThanOrEqual(exact);
      // HdrHistogram with 3 significant digits: within 1/1024 of the exact value.
      expect((got - exact) / exact).toBeLessThan(1 / 1024);
    }
    expect(h.percentile(100)).toBe(Math.max(...values));
    expect(h.max).toBe(Math.max(...values));
    expect(h.min).toBe(Math.min(...values));
    expect(h.count).toBe(values.length);
  });

  it('is exact for integer values below 2048 and records fractions floored', () => {
    const h = Histogram.fromValues([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(h.percentile(50)).toBe(5);
    expect(h.percentile(90)).toBe(9);
    expect(h.percentile(99)).toBe(10);
    expect(h.mean()).toBe(5.5);
    expect(h.summary()).toMatchObject({ count: 10, min: 1, max: 10, p50: 5, p90: 9, p99: 10, p999: 10 });
    const exact = Histogram.fromValues(Array.from({ length: 2048 }, (_, i) => i));
    for (const q of [10, 50, 99.9]) expect(exact.percentile(q)).toBe(Math.ceil((q / 100) * 2048) - 1);
    const fractions = Histogram.fromValues([1.7, 2.2]);
    expect(fractions.percentile(50)).toBe(1.7); // bucket 1, raised to the exact min
    expect(fractions.max).toBe(2.2);
    expect(fractions.mean()).toBeCloseTo(1.95, 10);
  });

  it('never reports a percentile above the exact max', () => {
    const h = Histogram.fromValues([100_001, 100_002]);
    expect(h.percentile(99)).toBe(100_002);
  });

  it('is empty-safe and clamps negatives to zero', () => {
    const h = new Histogram();
    expect(h.summary()).toMatchObject({ count: 0, p50: 0, p99: 0, max: 0, min: 0, mean: 0 });
    expect(h.distribution()).toEqual([]);
    h.record(-5);
    expect(h.percentile(50)).toBe(0);
  });

  it('merges like recording everything in one', () => {
    const a = Histogram.fromValues([1, 1000, 5000]);
    const b = Histogram.fromValues([2, 70_000]);
    a.merge(b);
    const all = Histogram.fromValues([1, 1000, 5000, 2, 70_000]);
    expect(a.summary(1000)).toEqual(all.summary(1000));
    expect(a.distribution(1000, 20)).toEqual(all.distribution(1000, 20));
    const big = Histogram.fromValues([5e9]); // beyond the range the first histogram has grown to
    a.merge(big);
    expect(a.count).toBe(6);
    expect(a.max).toBe(5e9);
    expect(a.percentile(99)).toBe(5e9);
  });

  it('scales the summary and the distribution', () => {
    const h = Histogram.fromValues(Array.from({ length: 1000 }, (_, i) => (i + 1) * 1000));
    const p50 = h.summary(1000).p50;
    expect(p50).toBeGreaterThanOrEqual(500);
    expect(p50).toBeLessThan(500 * (1 + 1 / 1024));
    const points = h.distribution(1000, 10);
    expect(points[0]?.[0]).toBe(0);
    expect(points.at(-1)).toEqual([100, 1000]);
    for (let i = 1; i < points.length; i++) {
      expect(points[i]?.[0]).toBeGreaterThanOrEqual(points[i - 1]?.[0] ?? 0);
      expect(points[i]?.[1]).toBeGreaterThanOrEqual(points[i - 1]?.[1] ?? 0);
    }
  });
});
