import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * The campaign's one source of randomness, seeded: the same seed gives the same sequence of fault
 * kinds, durations and target choices (which targets are free at a moment still depends on timing).
 */
export class Random {
  readonly #rng: ReturnType<typeof xoroshiro128plus>;

  constructor(seed: number) {
    this.#rng = xoroshiro128plus(seed);
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return uniformInt(this.#rng, min, max);
  }

  /** A duration in ms between min and max (inclusive). */
  between(minMs: number, maxMs: number): number {
    return this.int(Math.round(minMs), Math.round(maxMs));
  }

  chance(probability: number): boolean {
    return this.int(0, 9999) < probability * 10_000;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  }
}

/** Every kind once per round, in a random order: a short campaign still covers every kind. */
export class ShuffleBag<T> {
  readonly #items: readonly T[];
  readonly #random: Random;
  #bag: T[] = [];

  constructor(items: readonly T[], random: Random) {
    this.#items = items;
    this.#random = random;
  }

  next(): T {
    if (this.#bag.length === 0) this.#bag = this.#random.shuffle(this.#items);
    return this.#bag.shift() as T;
  }

  /** Puts an item back to be drawn again soon (its targets were all busy). */
  putBack(item: T): void {
    this.#bag.splice(Math.min(1, this.#bag.length), 0, item);
  }
}
