import { describe, expect, it } from 'vitest';
import { type FindMaxPlan, judgeStep, maxSustained, nextRate, type StepMeasure } from './find-max.ts';

const healthy: StepMeasure = {
  rate: 1000,
  sent: 20_000,
  accepted: 20_000,
  httpP99Ms: 20,
  notifiedP99Ms: 80,
  backlogGrowthPerSec: 3,
  sendLagP99Ms: 2,
  drained: true,
};

describe('judgeStep', () => {
  it('sustains a healthy step', () => {
    expect(judgeStep(healthy)).toEqual({ sustained: true, reasons: [] });
  });

  it('names every criterion a step misses', () => {
    const verdict = judgeStep({
      ...healthy,
      accepted: 19_000,
      httpP99Ms: 2500,
      notifiedP99Ms: 9000,
      backlogGrowthPerSec: 400,
      sendLagP99Ms: 500,
      drained: false,
    });
    expect(verdict.sustained).toBe(false);
    expect(verdict.reasons).toEqual([
      'only 95.0 % answered 201',
      'HTTP p99 2500 ms > 1000 ms',
      'accepted→notified p99 9000 ms > 5000 ms',
      'backlog grew 400 orders/s',
      'load generator fell behind (send lag p99 500 ms)',
      'did not drain',
    ]);
  });

  it('fails a step where nothing completed', () => {
    expect(judgeStep({ ...healthy, notifiedP99Ms: undefined }).reasons).toEqual(['no order completed']);
  });
});

describe('nextRate', () => {
  const plan: FindMaxPlan = { start: 500, step: 500, max: 3000, refine: 2, granularity: 50 };

  it('climbs the ladder until a failure, then bisects twice', () => {
    const history: { rate: number; sustained: boolean }[] = [];
    const capacity = 1830;
    for (let rate = nextRate(history, plan); rate !== undefined; rate = nextRate(history, plan)) {
      history.push({ rate, sustained: rate <= capacity });
    }
    expect(history.map((h) => h.rate)).toEqual([500, 1000, 1500, 2000, 1750, 1900]);
    expect(maxSustained(history)).toBe(1750);
  });

  it('stops at the maximum when everything is sustained', () => {
    const history = [500, 1000, 1500, 2000, 2500, 3000].map((rate) => ({ rate, sustained: true }));
    expect(nextRate(history, plan)).toBeUndefined();
    expect(maxSustained(history)).toBe(3000);
  });

  it('halves when even the first step fails', () => {
    const history = [{ rate: 500, sustained: false }];
    expect(nextRate(history, plan)).toBe(250);
    history.push({ rate: 250, sustained: true });
    expect(nextRate(history, plan)).toBe(400);
    expect(maxSustained([])).toBeUndefined();
  });
});
