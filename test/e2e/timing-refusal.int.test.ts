import { findService, roleDatabaseUrl } from '@kafka-poc/local-stack';
import { createTestDatabase } from '@kafka-poc/testing';
import { describe, expect, it } from 'vitest';
import { runServiceOnce } from '../support/service-run.ts';

// order-service against the harness's broker (the local stack's fast failure detection: 10 s group
// sessions; the classic protocol's 30 s + 3 s is the longest failover there, so ORDER_DECISION_TIMEOUT
// must be ≥ 48 s): a timeout that one failed instance could outlast stops the service at start with
// one line naming the values and the rule (docs/architecture.md, "Timeouts an order crosses").

const orderRole = findService('order-service')?.databaseRole ?? '';

describe('order-service timeouts checked against the cluster at start', () => {
  it('refuses a decision timeout shorter than a failover, in one line, exit 78', async () => {
    const url = roleDatabaseUrl(await createTestDatabase('timing_refused'), orderRole);
    const outcome = await runServiceOnce('order-service', url, { env: { ORDER_DECISION_TIMEOUT: '20s' } });
    expect(outcome.running, outcome.output).toBe(false);
    expect(outcome.code, outcome.output).toBe(78);
    const lines = outcome.output.split('\n').filter((line) => line.includes('refuses to start'));
    expect(lines, outcome.output).toHaveLength(1);
    expect(lines[0]).toMatch(/^order-service refuses to start: ORDER_DECISION_TIMEOUT 20 s is shorter than/);
    expect(lines[0]).toContain('session 30 s + heartbeat 3 s) + 15 s slack = 48 s');
    expect(lines[0]).toContain('rule: ORDER_DECISION_TIMEOUT ≥ longest failover');
    expect(outcome.output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });

  it('starts with the default (2 min), logging the timings it read', async () => {
    const url = roleDatabaseUrl(await createTestDatabase('timing_default'), orderRole);
    const outcome = await runServiceOnce('order-service', url, {
      waitMs: 60_000,
      stopOnOutput: 'service ready',
    });
    expect(outcome.running, outcome.output).toBe(true);
    expect(outcome.output).toContain('cluster failure-detection timings');
    expect(outcome.output).toContain('service ready');
    expect(outcome.output).not.toContain('refuses to start');
  });

  it('only warns with TIMING_CHECK=warn', async () => {
    const url = roleDatabaseUrl(await createTestDatabase('timing_warned'), orderRole);
    const outcome = await runServiceOnce('order-service', url, {
      waitMs: 60_000,
      stopOnOutput: 'service ready',
      env: { ORDER_DECISION_TIMEOUT: '20s', TIMING_CHECK: 'warn' },
    });
    expect(outcome.running, outcome.output).toBe(true);
    expect(outcome.output).toContain('TIMING_CHECK=warn: ORDER_DECISION_TIMEOUT 20 s');
    expect(outcome.output).toContain('service ready');
  });
});
