import type { ClusterTimings } from '@kafka-poc/kafka';
import { describe, expect, it } from 'vitest';
import { clusterTimingProblems, longestFailover, seconds } from './failover-timings.ts';

const tuned: ClusterTimings = {
  groups: [{ groupId: 'g', sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 }],
  classicSessionMinMs: 1_000,
  classicSessionMaxMs: 1_800_000,
  brokerSessionTimeoutMs: 4_000,
};

describe('longestFailover', () => {
  it('is a classic member (30 s + 3 s) on the tuned local broker, a consumer group on a stock one', () => {
    expect(longestFailover(tuned, 15_000).ms).toBe(33_000);
    const stock = {
      ...tuned,
      groups: [{ groupId: 'g', sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5_000 }],
    };
    expect(longestFailover(stock, 15_000)).toEqual({
      what: 'group g (session 45 s + heartbeat 5 s)',
      ms: 50_000,
    });
  });
});

describe('clusterTimingProblems', () => {
  it('passes the tuned and the stock broker', () => {
    expect(clusterTimingProblems(tuned, { groupProtocol: 'classic' })).toEqual([]);
    expect(
      clusterTimingProblems({ ...tuned, classicSessionMinMs: 6_000 }, { groupProtocol: 'classic' }),
    ).toEqual([]);
  });

  it("names a classic session outside the broker's bounds (only for classic members)", () => {
    const strict = { ...tuned, classicSessionMinMs: 60_000 };
    expect(clusterTimingProblems(strict, { groupProtocol: 'consumer' })).toEqual([]);
    expect(clusterTimingProblems(strict, { groupProtocol: 'classic' })[0]).toContain(
      'group.min.session.timeout.ms 60 s',
    );
  });

  it('names a delivery timeout shorter than a broker failover', () => {
    const problems = clusterTimingProblems(tuned, { groupProtocol: 'consumer', deliveryTimeoutMs: 20_000 });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('delivery timeout 20 s');
  });
});

describe('seconds', () => {
  it('reads as an operator would write it', () => {
    expect([seconds(1_500), seconds(45_000), seconds(120_000)]).toEqual(['1.5 s', '45 s', '2 min']);
  });
});
