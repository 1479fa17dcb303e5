/**
 * Latency histogram of non-negative values (we record microseconds) on HdrHistogram
 * (hdr-histogram-js) with 3 significant digits: exact below 2048, and above that every recorded
 * value is known within 1/1024 (0.1 %) whatever its magnitude. Mergeable: the load generator keeps
 * one per second and one for the whole run. This wrapper adds what the reports need on top: the
 * exact min, max and mean, percentiles capped by the exact max, and the distribution for charts.
 */
import { build, type Histogram as HdrHistogram } from 'hdr-histogram-js';

export const PERCENTILES = [50, 90, 99, 99.9] as const;

export interface Summary {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
}

/** HdrHistogram's usual precision: 3 significant decimal digits. */
const SIGNIFICANT_DIGITS = 3;

export class Histogram {
  // Grows its range as values arrive (autoResize), so no upper bound has to be guessed.
  readonly #hdr: HdrHistogram = build({
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    autoResize: true,
  });
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;

  get count(): number {
    return this.#hdr.totalCount;
  }

  get max(): number {
    return this.count === 0 ? 0 : this.#max;
  }

  get min(): number {
    return this.count === 0 ? 0 : this.#min;
  }

  /** Records a value `times` times; negatives count as 0, fractions are floored into the bucket. */
  record(value: number, times = 1): void {
    const v = Math.max(0, value);
    this.#hdr.recordValueWithCount(Math.floor(v), times);
    this.#sum += v * times;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  merge(other: Histogram): void {
    if (other.count === 0) return;
    this.#hdr.add(other.#hdr);
    this.#sum += other.#sum;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  /**
   * The value at percentile q (0–100), nearest-rank: the smallest recorded value with at least q % of
   * values at or below it. Reported as the bucket's upper bound (never optimistic), capped by the
   * exact max; the 100th percentile is the exact max.
   */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    if (q >= 100) return this.#max;
    const value = this.#hdr.getValueAtPercentile(Math.max(q, Number.MIN_VALUE));
    return Math.max(this.#min, Math.min(this.#max, value));
  }

  mean(): number {
    return this.count === 0 ? 0 : this.#sum / this.count;
  }

  /** Percentiles, min, max and mean, each divided by `scale` (e.g. 1000 for µs → ms). */
  summary(scale = 1): Summary {
    return {
      count: this.count,
      min: this.min / scale,
      max: this.max / scale,
      mean: this.mean() / scale,
      p50: this.percentile(50) / scale,
      p90: this.percentile(90) / scale,
      p99: this.percentile(99) / scale,
      p999: this.percentile(99.9) / scale,
    };
  }

  /**
   * Points of the percentile distribution (q, value/scale) for a CDF chart: q from 0 up to 99.99
   * (as far as the count resolves), evenly spaced in "nines".
   */
  distribution(scale = 1, steps = 60): [number, number][] {
    if (this.count === 0) return [];
    const maxNines = Math.min(4, Math.log10(this.count));
    const points: [number, number][] = [];
    for (let i = 0; i <= steps; i++) {
      const nines = (maxNines * i) / steps;
      const q = 100 * (1 - 10 ** -nines);
      points.push([q, this.percentile(q) / scale]);
    }
    points.push([100, this.#max / scale]);
    return points;
  }

  static fromValues(values: Iterable<number>): Histogram {
    const h = new Histogram();
    for (const v of values) h.record(v);
    return h;
  }
}
