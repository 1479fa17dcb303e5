import { describe, expect, it } from 'vitest';
import { LagHistory, toLagSample } from './lag-history.ts';

const sample = (t: number, total = 0) => ({ t, total, byTopic: {} });

describe('LagHistory', () => {
  it('keeps the newest samples per group up to the capacity', () => {
    const history = new LagHistory({ capacity: 3, maxGroups: 10 });
    for (let t = 1; t <= 5; t++) history.add('g', sample(t));
    expect(history.samples('g').map((s) => s.t)).toEqual([3, 4, 5]);
    expect(history.latest('g')?.t).toBe(5);
    expect(history.samples('unknown')).toEqual([]);
  });

  it('bounds the number of groups and forgets vanished ones', () => {
    const history = new LagHistory({ capacity: 3, maxGroups: 2 });
    history.add('a', sample(1));
    history.add('b', sample(1));
    history.add('a', sample(2));
    history.add('c', sample(2));
    expect(history.groupCount).toBe(2);
    expect(history.samples('b')).toEqual([]);
    history.retain(new Set(['c']));
    expect(history.groupCount).toBe(1);
    expect(history.latest('c')?.t).toBe(2);
  });
});

describe('toLagSample', () => {
  it('sums lag per topic and in total', () => {
    const p = (topic: string, lag: bigint) => ({
      topic,
      partition: 0,
      committedOffset: 0n,
      latestOffset: lag,
      lag,
    });
    expect(toLagSample(7, [p('a', 2n), p('a', 3n), p('b', 1n)])).toEqual({
      t: 7,
      total: 6,
      byTopic: { a: 5, b: 1 },
    });
  });
});
