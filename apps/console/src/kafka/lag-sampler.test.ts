import type { KafkaAdmin } from '@kafka-poc/kafka';
import type { Logger } from '@kafka-poc/service-kit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LagHistory } from './lag-history.ts';
import { LagSampler, WATCHED_FOR_MS } from './lag-sampler.ts';

// A stand-in admin (pure unit test): one group, lag 0; we count the rounds.
function sampler() {
  const rounds: number[] = [];
  const admin = {
    listGroups: async () => {
      rounds.push(Date.now());
      return [{ groupId: 'g' }];
    },
    groupLag: async () => [],
  } as unknown as KafkaAdmin;
  const logger = { debug: () => undefined } as unknown as Logger;
  const history = new LagHistory({ capacity: 1000, maxGroups: 10 });
  return {
    rounds,
    history,
    sampler: new LagSampler({
      admin,
      history,
      intervalMs: 5000,
      idleIntervalMs: 60_000,
      maxGroups: 10,
      logger,
    }),
  };
}

describe('LagSampler', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('samples at start, then at the idle interval while nobody uses the console', async () => {
    const { rounds, sampler: s } = sampler();
    s.start();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(rounds).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(rounds).toHaveLength(2);
    await s.stop();
  });

  it('a request after a quiet spell brings a sample at once, then one every interval while watched', async () => {
    const { rounds, history, sampler: s } = sampler();
    s.start();
    await vi.advanceTimersByTimeAsync(30_000);
    s.noteActivity(); // the last sample is 30 s old: due now
    await vi.advanceTimersByTimeAsync(0);
    expect(rounds).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(5000);
    expect(rounds).toHaveLength(3);
    expect(history.samples('g')).toHaveLength(3);
    // Watched until WATCHED_FOR_MS after the request (t = 30 s): rounds every 5 s up to t = 90 s,
    // the one at 90 s finds the console unwatched and schedules the next an idle interval later.
    expect(WATCHED_FOR_MS).toBe(60_000);
    await vi.advanceTimersByTimeAsync(150_000 - 35_000 - 1);
    expect(rounds.map((t) => (t - 1_000_000) / 1000)).toEqual([
      0, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90,
    ]);
    await vi.advanceTimersByTimeAsync(1);
    expect(rounds).toHaveLength(15);
    await s.stop();
  });

  it('stops sampling when stopped', async () => {
    const { rounds, sampler: s } = sampler();
    s.start();
    await s.stop();
    s.noteActivity();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(rounds).toHaveLength(1);
  });
});
