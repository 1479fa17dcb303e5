/**
 * HDR-style log-linear histogram of non-negative values (we record microseconds): exact below
 * 2^SUB_BITS, then 2^(SUB_BITS-1) linear sub-buckets per power of two, so every recorded value is
 * known within 1 / 2^(SUB_BITS-1) (0.4 %) whatever its magnitude. Constant memory, O(1) record,
 * mergeable: the load generator keeps one per second and one for the whole run.
 */

const SUB_BITS = 9;
const SUB_COUNT = 1 << SUB_BITS; // exact values 0..511
const HALF = SUB_COUNT >> 1; // 256 sub-buckets per power of two above that
/** Values up to 2^40 µs (12.7 days) are bucketed; larger ones land in the last bucket. */
const MAX_SHIFT = 40 - SUB_BITS + 1;
const BUCKETS = SUB_COUNT + MAX_SHIFT * HALF;

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

/** Bucket index of a value (values are floored to integers; negatives count as 0). */
export function bucketOf(value: number): number {
  const v = value <= 0 ? 0 : Math.floor(value);
  if (v < SUB_COUNT) return v;
  const shift = msbOf(v) - (SUB_BITS - 1);
  if (shift > MAX_SHIFT) return BUCKETS - 1;
  const top = Math.floor(v / 2 ** shift); // in [HALF, SUB_COUNT)
  return SUB_COUNT + (shift - 1) * HALF + (top - HALF);
}

/** Index of the highest set bit of a positive integer below 2^64. */
function msbOf(v: number): number {
  if (v < 2 ** 32) return 31 - Math.clz32(v);
  return 32 + (31 - Math.clz32(Math.floor(v / 2 ** 32)));
}

/** Smallest and largest value that map to a bucket. */
export function bucketRange(index: number): [number, number] {
  if (index < SUB_COUNT) return [index, index];
  const shift = Math.floor((index - SUB_COUNT) / HALF) + 1;
  const top = ((index - SUB_COUNT) % HALF) + HALF;
  return [top * 2 ** shift, (top + 1) * 2 ** shift - 1];
}

export class Histogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;

  get count(): number {
    return this.#count;
  }

  get max(): number {
    return this.#count === 0 ? 0 : this.#max;
  }

  get min(): number {
    return this.#count === 0 ? 0 : this.#min;
  }

  record(value: number, times = 1): void {
    const v = Math.max(0, value);
    const index = bucketOf(v);
    this.#counts[index] = (this.#counts[index] ?? 0) + times;
    this.#count += times;
    this.#sum += v * times;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  merge(other: Histogram): void {
    if (other.#count === 0) return;
    for (let i = 0; i < BUCKETS; i++) {
      const c = other.#counts[i] ?? 0;
      if (c !== 0) this.#counts[i] = (this.#counts[i] ?? 0) + c;
    }
    this.#count += other.#count;
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
    if (this.#count === 0) return 0;
    if (q >= 100) return this.#max;
    const rank = Math.max(1, Math.ceil((q / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i] ?? 0;
      if (seen >= rank) return Math.max(this.#min, Math.min(this.#max, bucketRange(i)[1]));
    }
    return this.#max;
  }

  mean(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  /** Percentiles, min, max and mean, each divided by `scale` (e.g. 1000 for µs → ms). */
  summary(scale = 1): Summary {
    return {
      count: this.#count,
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
    if (this.#count === 0) return [];
    const maxNines = Math.min(4, Math.log10(this.#count));
    const points: [number, number][] = [];
    for (let i = 0; i <= steps; i++) {
      const nines = (maxNines * i) / steps;
      const q = 100 * (1 - 10 ** -nines);
      points.push([q, this.percentile(q) / scale]);
    }
    points.push([100, this.#max / scale]);
    return points;
  }

  /** Compact form for JSON: non-empty buckets as [index, count] pairs, plus exact min and max. */
  toJSON(): { count: number; min: number; max: number; sum: number; buckets: [number, number][] } {
    const buckets: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const c = this.#counts[i] ?? 0;
      if (c !== 0) buckets.push([i, c]);
    }
    return { count: this.#count, min: this.min, max: this.max, sum: this.#sum, buckets };
  }

  static fromValues(values: Iterable<number>): Histogram {
    const h = new Histogram();
    for (const v of values) h.record(v);
    return h;
  }
}
