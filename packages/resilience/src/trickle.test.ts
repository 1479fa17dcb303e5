import { describe, expect, it } from 'vitest';
import { TrickleMeter } from './trickle.ts';

describe('TrickleMeter', () => {
  it('is a trickle below 5 items per interval over the last second, and forgets older items', () => {
    const meter = new TrickleMeter();
    expect(meter.isTrickle(20, 0)).toBe(true);
    // 200 items over the second = 4 per 20 ms: a trickle; 51 more make 5.02 per 20 ms: not.
    for (let t = 0; t < 1000; t += 10) meter.add(2, t);
    expect(meter.isTrickle(20, 999)).toBe(true);
    meter.add(51, 999);
    expect(meter.isTrickle(20, 999)).toBe(false);
    // A second later everything above has left the window.
    expect(meter.isTrickle(20, 1999)).toBe(true);
  });

  it('counts per interval: the same items are a stream for a longer interval', () => {
    const meter = new TrickleMeter();
    meter.add(100, 0);
    expect(meter.isTrickle(20, 10)).toBe(true); // 2 per 20 ms
    expect(meter.isTrickle(100, 10)).toBe(false); // 10 per 100 ms
  });
});
