import { describe, expect, it } from 'vitest';
import { renderCharts } from './charts.ts';
import { Histogram } from './histogram.ts';
import { compactJson, renderReport, sustainedRate } from './report.ts';
import type { BenchResult, PhaseResult } from './result.ts';
import { evaluateTargets, peakGrowth } from './targets.ts';

function phase(kind: PhaseResult['kind'], rate: number, overrides: Partial<PhaseResult> = {}): PhaseResult {
  const h = Histogram.fromValues([2000, 5000, 9000, 40_000]);
  const summary = h.summary(1000);
  return {
    name: kind === 'step' ? `step ${rate}/s` : `fixed ${rate}/s`,
    kind,
    rate,
    durationMs: 60_000,
    startedAt: 10,
    loadEndedAt: 70,
    drainedAt: 71,
    throughput: { offered: rate, accepted: rate, endToEnd: rate * 0.99, drainMs: 300 },
    outcomes: { '201': rate * 60 },
    latencyMs: {
      http: summary,
      service: summary,
      sendLag: summary,
      decided: summary,
      notified: summary,
      delivered: summary,
      db: summary,
    },
    distributions: {
      http: h.distribution(1000),
      decided: h.distribution(1000),
      notified: h.distribution(1000),
    },
    negative: { decided: 0, notified: 0 },
    incomplete: 0,
    perSecond: [
      {
        second: 0,
        sent: rate,
        accepted: rate,
        failed: 0,
        notified: rate,
        httpP50: 2,
        httpP99: 9,
        decidedP99: 20,
        notifiedP50: 10,
        notifiedP99: 40,
      },
    ],
    backlog: { max: 12, end: 3, growthPerSec: 0.1 },
    drain: { drained: true, waitedMs: 500 },
    pg: { commits: 1000, rollbacks: 0, walBytes: 4_000_000, commitsPerOrder: 3.2, walBytesPerOrder: 4000 },
    resources: [],
    gauges: {
      'order-service': {
        poolInUseMean: 9.5,
        poolWaitingMean: 40,
        poolWaitingMax: 120,
        eventLoopLagP99MaxMs: 25,
      },
    },
    cpuMsPerOrder: { 'order-service': 0.3, postgres: 0.2, bench: 0.1 },
    cpuCapacityEstimate: 3333,
    machineCpuMean: 150,
    othersCpuMean: 20,
    ...overrides,
  };
}

function result(overrides: Partial<BenchResult> = {}): BenchResult {
  const base: BenchResult = {
    version: 1,
    startedAt: '2026-01-01T10:00:00.000Z',
    finishedAt: '2026-01-01T10:05:00.000Z',
    command: 'npm run bench',
    label: 'test run',
    git: { commit: 'abc123', dirtyFiles: 0 },
    machine: {
      cpuModel: 'Test CPU',
      cores: 2,
      memoryGb: 8,
      kernel: '6.0',
      node: 'v24',
      java: 'openjdk 17',
      busyBeforeStartPct: 12,
      load1AtStart: 0.5,
    },
    options: {},
    stack: { stack: 'own', 'postgres fsync': 'on' },
    bound: {
      ordersPerSec: { kafkaProduce: 50_000, kafkaConsume: 40_000, postgres: 3000, combined: 3000 },
      errors: [],
      othersCpuMean: 10,
    },
    phases: [
      phase('fixed', 500),
      phase('step', 1000),
      phase('step', 1500, { verdict: { sustained: false, reasons: ['backlog grew 300 orders/s'] } }),
    ],
    findMax: {
      maxSustained: 1000,
      plan: { start: 1000, step: 500, max: 1500, stepDurationMs: 20_000, refine: 0 },
      steps: [
        { rate: 1000, sustained: true, reasons: [] },
        { rate: 1500, sustained: false, reasons: ['backlog grew 300 orders/s'] },
      ],
    },
    exactlyOnce: {
      ok: true,
      checkedOrders: 120_000,
      lost: 0,
      duplicated: 0,
      inconsistent: 0,
      problems: [],
      accepted: 120_000,
      storedSinceStart: 120_000,
      kafkaLagAtEnd: [],
    },
    resources: {
      points: [
        {
          t: 10,
          cpu: { 'order-service': 50 },
          rssMb: { 'order-service': 100 },
          machineCpu: 150,
          othersCpu: 20,
          load1: 1,
        },
        {
          t: 11,
          cpu: { 'order-service': 60 },
          rssMb: { 'order-service': 101 },
          machineCpu: 160,
          othersCpu: 25,
          load1: 1,
        },
      ],
      summary: [
        {
          name: 'order-service',
          cpuMean: 55,
          cpuMax: 60,
          rssFirst: 100,
          rssLast: 101,
          rssMax: 101,
          rssSlopeMbPerMin: 60,
        },
      ],
    },
    backlog: [
      { t: 10, orderOutbox: 1, inventoryLag: 2, inventoryOutbox: 0, orderLag: 3, notificationLag: 1 },
    ],
    statements: [
      { query: 'INSERT INTO "orders" | x', calls: 30_000, totalMs: 1200, meanMs: 0.04, rows: 30_000 },
    ],
    profiles: undefined,
    serviceExits: [],
    targets: [],
    ok: true,
  };
  const merged = { ...base, ...overrides };
  merged.targets = evaluateTargets(merged);
  return merged;
}

// Rendering the Vega-Lite charts takes seconds of CPU (more on a busy machine): not a speed test.
const RENDER_TIMEOUT_MS = 60_000;

describe('renderReport', () => {
  it(
    'summarizes throughput against the bound, targets, phases and the exactly-once verdict',
    async () => {
      const r = result();
      const charts = await renderCharts(r);
      const md = renderReport(r, charts);
      expect(md).toContain('# Benchmark 2026-01-01 10:00:00 UTC — test run');
      expect(md).toContain('**Exactly-once: OK** — 120,000 orders answered 201');
      expect(md).toContain('| system as a fraction of the bound | 33 % |');
      expect(md).toContain(
        '| sustained throughput | >= 5,000 orders/s end-to-end, no growing lag | 1000 orders/s (highest sustained find-max step) | **no** |',
      );
      expect(md).toContain('## Fixed rate: 500 orders/s for 60 s');
      expect(md).toContain('3.2 per order');
      expect(md).toContain('| order-service | 9.5 | 40.0 / 120 | 25.0 |');
      expect(md).toContain('**Highest sustained rate: 1000 orders/s.**');
      expect(md).toContain('not: backlog grew 300 orders/s');
      // Pipes inside cells are escaped so the table stays a table.
      expect(md).toContain('INSERT INTO "orders" \\| x');
      expect(md).toContain('![Latency distribution at 500 orders/s](latency-distribution.svg)');
      expect(md).not.toMatch(/\n{3,}/);
    },
    RENDER_TIMEOUT_MS,
  );

  it(
    'prefixes chart links for latest.md',
    async () => {
      const r = result();
      const md = renderReport(r, await renderCharts(r), '2026-01-01T10-00-00/');
      expect(md).toContain('](2026-01-01T10-00-00/throughput.svg)');
      expect(md).toContain('](2026-01-01T10-00-00/find-max.svg)');
    },
    RENDER_TIMEOUT_MS,
  );

  it('says FAILED and lists the problems when an order was lost', () => {
    const r = result({
      ok: false,
      exactlyOnce: {
        ok: false,
        checkedOrders: 10,
        lost: 1,
        duplicated: 0,
        inconsistent: 0,
        problems: ['order x answered 201 but is not stored'],
        accepted: 10,
        storedSinceStart: 9,
        kafkaLagAtEnd: ['order-service inventory-events:0 lags 1'],
      },
    });
    const md = renderReport(r, []);
    expect(md).toContain('**Exactly-once: FAILED** — 1 lost, 0 duplicated, 0 inconsistent');
    expect(md).toContain('- order x answered 201 but is not stored');
    expect(md).toContain('Kafka lag left at the end: order-service inventory-events:0 lags 1');
  });
});

describe('cost per rate', () => {
  const costly = (rate: number, overrides: Partial<PhaseResult> = {}) =>
    phase(rate === 0 ? 'idle' : 'fixed', rate, {
      name: rate === 0 ? 'idle' : `fixed ${rate}/s`,
      ordersStored: rate * 30,
      cpuCores: { kafka: 0.02 + rate / 1000, postgres: 0.01, 'order-service': 0.005, bench: 0.2 },
      cpuMsPerOrder: rate === 0 ? {} : { kafka: 1, postgres: 0.5, 'order-service': 0.25, bench: 2 },
      kafkaRequests: { Fetch: rate * 30 * 3 + 60, Produce: rate * 30 * 2 },
      statementCounts: [
        { role: 'app', kind: 'BEGIN', calls: rate * 30, rows: 0, totalMs: 1, query: 'BEGIN' },
        { role: 'app', kind: 'COMMIT', calls: rate * 30, rows: 0, totalMs: 1, query: 'COMMIT' },
      ],
      startedAt: 0,
      loadEndedAt: 30,
      drainedAt: 30,
      durationMs: 30_000,
      ...overrides,
    });

  it('tabulates CPU, requests and statements per order at each rate, and the targets from them', () => {
    const r = result({ phases: [costly(0), costly(100), costly(500)], findMax: undefined });
    const md = renderReport(r, []);
    expect(md).toContain('## Cost per rate');
    expect(md).toContain('| process: cores / ms per order | idle | 100/s | 500/s |');
    // Idle: cores of the stack without the load generator; loaded: cores / ms per order.
    expect(md).toContain('| **stack** | **0.035** | **0.14 / 1.75** | **0.54 / 1.75** |');
    expect(md).toContain('| Fetch | 2.00/s | 3.02 | 3.00 |');
    expect(md).toContain('| `BEGIN` | 0.00/s | 1.00 | 1.00 |');
    expect(md).toContain('| WAL bytes | 133,333/s | 1,333 | 267 |');
    const targets = Object.fromEntries(r.targets.map((t) => [t.name, t]));
    expect(targets.idle?.met).toBe(true);
    expect(targets['CPU at 100/s']?.met).toBe(true);
    expect(targets['CPU at 500/s']?.met).toBe(false);
    expect(targets['CPU at 500/s']?.measured).toBe('1.75 ms (kafka 1.00, postgres 0.50, order-service 0.25)');
  });
});

describe('sustainedRate', () => {
  it('prefers the best find-max step, else the fixed run', () => {
    expect(sustainedRate(result())).toBe(990);
    expect(sustainedRate(result({ findMax: undefined }))).toBe(495);
  });
});

describe('renderCharts', () => {
  it(
    'renders the latency, throughput, resource and find-max charts that have data',
    async () => {
      const charts = await renderCharts(result());
      for (const c of charts) expect(c.svg).toMatch(/^<svg [^>]*>.*<\/svg>$/s);
      expect(charts.map((c) => c.file)).toEqual([
        'latency-over-time.svg',
        'latency-distribution.svg',
        'throughput.svg',
        'memory.svg',
        'cpu.svg',
        'find-max.svg',
        'find-max-latency.svg',
      ]);
    },
    RENDER_TIMEOUT_MS,
  );
});

describe('peakGrowth', () => {
  it('compares the RSS peaks of the two halves (a sawtooth is flat, new peaks are growth)', () => {
    const sawtooth = Array.from({ length: 60 }, (_, i) => [i, 300 + (i % 10) * 5] as [number, number]);
    expect(peakGrowth(sawtooth)?.growth).toBe(0);
    const leak = Array.from({ length: 60 }, (_, i) => [i, 300 + i] as [number, number]);
    expect(peakGrowth(leak)).toEqual({ first: 329, second: 359, growth: 359 / 329 - 1 });
    expect(peakGrowth([[0, 1]])).toBeUndefined();
  });
});

describe('compactJson', () => {
  it('keeps objects indented and puts arrays of plain values on one line', () => {
    const value = {
      a: [1, 2, 3],
      b: [
        [0, 5],
        [90, 7],
      ],
      c: [{ x: 'y' }],
      d: [],
    };
    const text = compactJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toContain('"a": [1, 2, 3]');
    expect(text).toContain('[0, 5]');
    expect(text.endsWith('\n')).toBe(true);
  });
});
