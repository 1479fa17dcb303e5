import { describe, expect, it } from 'vitest';
import type { FaultRecord } from './nemesis.ts';
import { type CampaignReport, faultFigures, renderMarkdown, violationFigures } from './report.ts';

const history: FaultRecord[] = [
  {
    id: 1,
    kind: 'pause',
    target: 'order-service-1',
    detail: 'SIGSTOP 3 s',
    startedAt: 1000,
    injectedAt: 1001,
    healedAt: 4000,
  },
  {
    id: 2,
    kind: 'lock-hold',
    target: 'inventory rows',
    detail: 'held 12 s',
    startedAt: 2000,
    error: 'inject: lock timeout',
  },
  {
    id: 3,
    kind: 'pause',
    target: 'order-service-2',
    detail: 'SIGSTOP 5 s',
    startedAt: 5000,
    injectedAt: 5001,
    healedAt: 10_000,
    note: 'a | b',
  },
];

describe('campaign report', () => {
  it('counts injected and failed faults per kind, listing every selected kind', () => {
    const f = faultFigures(history, ['pause', 'lock-hold', 'net-cut']);
    expect(f.injected).toBe(2);
    expect(f.failed).toBe(1);
    expect(f.perKind).toEqual({
      pause: { injected: 2, failed: 0 },
      'lock-hold': { injected: 0, failed: 1 },
      'net-cut': { injected: 0, failed: 0 },
    });
  });

  it('keeps the first violation and at most 20 of each invariant', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      invariant: 'final' as const,
      detail: `order ${i}`,
    }));
    const v = violationFigures([...many, { invariant: 'no-lag', detail: 'lag 3' }]);
    expect(v.first).toEqual({ invariant: 'final', detail: 'order 0' });
    expect(v.perInvariant).toEqual({ final: 25, 'no-lag': 1 });
    expect(v.sample).toHaveLength(21);
  });

  it('renders the verdict, the faults per kind and the history as markdown', () => {
    const report = {
      seed: 7,
      brokerTiming: 'stock',
      command: 'npm run chaos -- --seed 7',
      startedAt: 'a',
      finishedAt: 'b',
      machine: { cpus: 2, loadAverage: [1, 2, 3] },
      phases: { faultsMs: 1, healMs: 2, settleMs: 3, settled: true, outstanding: [], checkMs: 4 },
      load: {
        rate: 10,
        durationMs: 10_000,
        sent: 100,
        accepted: 90,
        outcomes: { '201': 90, '503': 10 },
        latencyMs: { p50: 1, p99: 2, max: 3 },
      },
      faults: faultFigures(history, ['pause', 'lock-hold']),
      missingKinds: [],
      peaks: { lag: 5, unsentOutboxRows: 6 },
      unexpectedExits: [],
      check: {
        violations: 0,
        ...violationFigures([]),
        figures: { stored: 92, storedWithoutAck: 2, confirmed: 50, rejected: 42, expired: 0, pending: 0 },
      },
      passed: true,
    } as unknown as CampaignReport;
    const md = renderMarkdown(report);
    expect(md).toContain('# Chaos campaign, seed 7: PASSED');
    expect(md).toContain('| pause | 2 | 0 |');
    expect(md).toContain("| broker failure detection | stock (Kafka's own defaults: 45 s group sessions) |");
    expect(md).toContain('| 3 | 00:05 | 00:10 | pause | order-service-2 | SIGSTOP 5 s | a \\| b |');
  });
});
