import { describe, expect, it } from 'vitest';
import { nextPurgeDelay } from './retention-purge.ts';

const options = { intervalMs: 600_000, batchSize: 1000, batchPauseMs: 10 };

describe('nextPurgeDelay', () => {
  it('goes straight on after a run that stopped on a full batch', () => {
    expect(nextPurgeDelay({ rows: 250_000, more: true }, 10_000, options)).toBe(10);
  });

  it('sleeps the interval after a run that found nothing', () => {
    expect(nextPurgeDelay({ rows: 0, more: false }, 600_000, options)).toBe(600_000);
  });

  it('after a run that caught up, comes back when about a batch has expired again at the rate it saw', () => {
    // 6,000 rows/s expiring: a batch every 1/6 s, so the 1 s floor.
    expect(nextPurgeDelay({ rows: 6000, more: false }, 1000, options)).toBe(1000);
    // 100 rows/s: a batch in 10 s.
    expect(nextPurgeDelay({ rows: 60_000, more: false }, 600_000, options)).toBe(10_000);
    // A trickle: never longer than the interval.
    expect(nextPurgeDelay({ rows: 3, more: false }, 600_000, options)).toBe(600_000);
    // Never shorter than the interval allows either.
    expect(nextPurgeDelay({ rows: 6000, more: false }, 1000, { ...options, intervalMs: 200 })).toBe(200);
  });
});
