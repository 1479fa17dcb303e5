import { describe, expect, it } from 'vitest';
import { Random, ShuffleBag } from './random.ts';

describe('Random', () => {
  it('gives the same sequence for the same seed, another for another seed', () => {
    const draw = (seed: number) => {
      const r = new Random(seed);
      return Array.from({ length: 20 }, () => r.int(0, 1000));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('stays within bounds', () => {
    const r = new Random(1);
    const values = Array.from({ length: 1000 }, () => r.between(5, 9));
    expect(Math.min(...values)).toBe(5);
    expect(Math.max(...values)).toBe(9);
  });
});

describe('ShuffleBag', () => {
  it('draws every item once per round', () => {
    const bag = new ShuffleBag(['a', 'b', 'c', 'd'], new Random(3));
    const rounds = Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => bag.next()).sort());
    expect(rounds).toEqual([
      ['a', 'b', 'c', 'd'],
      ['a', 'b', 'c', 'd'],
      ['a', 'b', 'c', 'd'],
    ]);
  });

  it('gives an item put back again soon, without losing the others', () => {
    const bag = new ShuffleBag(['a', 'b', 'c'], new Random(5));
    const first = bag.next();
    bag.putBack(first);
    const rest = [bag.next(), bag.next(), bag.next()];
    expect(rest.sort()).toEqual(['a', 'b', 'c']);
  });
});
