import { describe, expect, it } from 'vitest';
import {
  currentInterval,
  dueChecks,
  durationMs,
  type RunningContainer,
  type TickerState,
} from './health-ticker.ts';

const fresh = (): TickerState => ({ next: new Map(), busy: new Set() });
const container = (over: Partial<RunningContainer> = {}): RunningContainer => ({
  id: 'a',
  startedAt: 1000,
  intervalMs: 10_000,
  ...over,
});

describe('durationMs', () => {
  it('reads Go durations and nanoseconds', () => {
    expect(durationMs('10s', 1)).toBe(10_000);
    expect(durationMs('1m30s', 1)).toBe(90_000);
    expect(durationMs('500ms', 1)).toBe(500);
    expect(durationMs(30_000_000_000, 1)).toBe(30_000);
  });
  it('falls back for zero or nothing', () => {
    expect(durationMs(0, 7)).toBe(7);
    expect(durationMs('', 7)).toBe(7);
    expect(durationMs(undefined, 7)).toBe(7);
  });
});

describe('dueChecks', () => {
  it('checks a container first one interval after it is seen, then every interval', () => {
    const state = fresh();
    const c = [container()];
    const t0 = 1_000_000;
    expect(dueChecks(state, c, t0)).toEqual([]);
    expect(dueChecks(state, c, t0 + 9_999)).toEqual([]);
    expect(dueChecks(state, c, t0 + 10_000)).toEqual(['a']);
    expect(dueChecks(state, c, t0 + 15_000)).toEqual([]);
    expect(dueChecks(state, c, t0 + 20_000)).toEqual(['a']);
  });

  it('never runs two checks of one container at once', () => {
    const state = fresh();
    const c = [container()];
    dueChecks(state, c, 0);
    state.busy.add('a');
    expect(dueChecks(state, c, 50_000)).toEqual([]);
    state.busy.delete('a');
    expect(dueChecks(state, c, 50_001)).toEqual(['a']);
  });

  it('treats a restarted container as a new start and forgets removed ones', () => {
    const state = fresh();
    dueChecks(state, [container()], 0);
    dueChecks(state, [container({ startedAt: 2000 })], 1);
    expect([...state.next.keys()]).toEqual(['a@2000']);
    dueChecks(state, [], 2);
    expect(state.next.size).toBe(0);
  });

  it('uses start_interval during the start period, interval after it', () => {
    const c = container({
      startedAt: 0,
      intervalMs: 30_000,
      hint: { startIntervalMs: 5_000, startPeriodMs: 120_000 },
    });
    expect(currentInterval(c, 60_000)).toBe(5_000);
    expect(currentInterval(c, 130_000)).toBe(30_000);
    const state = fresh();
    dueChecks(state, [c], 1_000);
    expect(dueChecks(state, [c], 6_000)).toEqual(['a']);
  });
});
