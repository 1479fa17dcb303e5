import type { ClusterTimings } from '@kafka-poc/kafka';
import { describe, expect, it } from 'vitest';
import { decisionTimingProblems } from './decision-timing.ts';

/** Kafka 4.4's own defaults: 45 s consumer sessions, 5 s heartbeats, 9 s broker sessions. */
const stock: ClusterTimings = {
  groups: [
    { groupId: 'order-service', sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5_000 },
    { groupId: 'inventory-service', sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5_000 },
  ],
  classicSessionMinMs: 6_000,
  classicSessionMaxMs: 1_800_000,
  brokerSessionTimeoutMs: 9_000,
};
const defaults = { decisionTimeoutMs: 120_000, expiryIntervalMs: 5_000, relayTakeoverMs: 15_000 };

describe('decisionTimingProblems', () => {
  it('accepts the defaults on a stock broker', () => {
    expect(decisionTimingProblems(defaults, stock)).toEqual([]);
  });

  it("refuses the old 30 s timeout on a stock broker, naming the group's session and the rule", () => {
    const [problem, ...rest] = decisionTimingProblems({ ...defaults, decisionTimeoutMs: 30_000 }, stock);
    expect(rest).toEqual([]);
    expect(problem).toContain('ORDER_DECISION_TIMEOUT 30 s');
    expect(problem).toContain('group order-service (session 45 s + heartbeat 5 s) + 15 s slack = 65 s');
    expect(problem).toContain('rule: ORDER_DECISION_TIMEOUT ≥ longest failover');
  });

  it('counts a group override, the relay takeover and a slow broker fencing alike', () => {
    const slowGroup = {
      ...stock,
      groups: [{ groupId: 'inventory-service', sessionTimeoutMs: 110_000, heartbeatIntervalMs: 5_000 }],
    };
    expect(decisionTimingProblems(defaults, slowGroup)[0]).toContain('group inventory-service');
    expect(decisionTimingProblems({ ...defaults, relayTakeoverMs: 110_000 }, stock)[0]).toContain(
      'OUTBOX_RELAY_TAKEOVER_MS 110 s',
    );
    expect(decisionTimingProblems(defaults, { ...stock, brokerSessionTimeoutMs: 110_000 })[0]).toContain(
      'broker.session.timeout.ms 110 s',
    );
  });

  it('refuses an expiry look slower than half the timeout', () => {
    const problems = decisionTimingProblems({ ...defaults, expiryIntervalMs: 70_000 }, stock);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('ORDER_EXPIRY_INTERVAL 70 s');
  });
});
