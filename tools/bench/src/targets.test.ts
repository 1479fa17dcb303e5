import { describe, expect, it } from 'vitest';
import type { ProcPoint } from './proc-sampler.ts';
import { phaseRssMax, renderReport } from './report.ts';
import type { BenchResult, PhaseResult, TargetResult } from './result.ts';
import {
  evaluateTargets,
  failingTargets,
  IDLE_RSS_PROCESSES,
  memoryGrowthChecks,
  runExitCode,
  TARGETS,
} from './targets.ts';

const SERVICES = ['order-service', 'inventory-service', 'notification-service'];
const summary = { count: 100, min: 1, max: 20, mean: 5, p50: 4, p90: 8, p99: 12, p999: 18 };

/** A phase from `startedAt` for `seconds` of load (idle: no orders). */
function phase(kind: PhaseResult['kind'], rate: number, startedAt: number, seconds: number): PhaseResult {
  return {
    name: kind === 'idle' ? 'idle' : `${kind} ${rate}/s`,
    kind,
    rate,
    durationMs: seconds * 1000,
    startedAt,
    loadEndedAt: startedAt + seconds,
    drainedAt: startedAt + seconds + 1,
    throughput: { offered: rate, accepted: rate, endToEnd: rate, drainMs: 100 },
    outcomes: { '201': rate * seconds },
    latencyMs: {
      http: summary,
      service: summary,
      sendLag: summary,
      decided: summary,
      notified: summary,
      delivered: summary,
      db: summary,
    },
    distributions: { http: [], decided: [], notified: [] },
    negative: { decided: 0, notified: 0 },
    incomplete: 0,
    perSecond: [],
    backlog: { max: 0, end: 0, growthPerSec: 0 },
    drain: { drained: true, waitedMs: 100 },
    resources: [],
    gauges: {},
    ordersStored: rate * seconds,
    cpuCores: { kafka: 0.01, 'order-service': 0.005 },
    cpuMsPerOrder: rate === 0 ? {} : { kafka: 0.5, 'order-service': 0.3 },
    cpuCapacityEstimate: undefined,
    machineCpuMean: 50,
    othersCpuMean: 5,
  };
}

/** One point a second over [from, to), RSS per process from `rss(name, t)`. */
function points(
  from: number,
  to: number,
  names: string[],
  rss: (name: string, t: number) => number,
): ProcPoint[] {
  const out: ProcPoint[] = [];
  for (let t = from; t < to; t++) {
    out.push({
      t,
      cpu: {},
      rssMb: Object.fromEntries(names.map((n) => [n, rss(n, t)])),
      machineCpu: 0,
      othersCpu: 0,
      load1: 0,
    });
  }
  return out;
}

type Input = Parameters<typeof evaluateTargets>[0];

function input(phases: PhaseResult[], procPoints: ProcPoint[], rate = 500): Input {
  return {
    phases,
    findMax: undefined,
    resources: { points: procPoints, summary: [] },
    command: 'npm run bench',
    options: { rate },
  };
}

function target(targets: TargetResult[], name: string): TargetResult {
  const t = targets.find((x) => x.name === name);
  if (!t) throw new Error(`no target ${name}`);
  return t;
}

describe('memory idle', () => {
  const idle = phase('idle', 0, 100, 30);
  const all = [...SERVICES, 'console'];

  it('is met when every service and the console stay at or below 80 MB after the first 5 s', () => {
    // 200 MB in the first 5 s (what the previous phase left) does not count; the max after it does.
    const rss = (name: string, t: number) => (t < 105 ? 200 : name === 'console' ? 70 : t === 120 ? 80 : 60);
    const t = target(evaluateTargets(input([idle], points(100, 130, all, rss))), 'memory idle');
    expect(t.met).toBe(true);
    expect(t.measured).toBe('order-service 80, inventory-service 80, notification-service 80, console 70 MB');
    expect(t.failsRun).toBeUndefined();
  });

  it('is missed when one process is above 80 MB, and names each with its MB', () => {
    const rss = (name: string) => (name === 'inventory-service' ? 81.2 : 64);
    const t = target(evaluateTargets(input([idle], points(100, 130, all, rss))), 'memory idle');
    expect(t.met).toBe(false);
    expect(t.measured).toBe('order-service 64, inventory-service 81, notification-service 64, console 64 MB');
  });

  it('says which processes were not measured (no console), and n/a without an idle phase or samples', () => {
    const t = target(
      evaluateTargets(
        input(
          [idle],
          points(100, 130, SERVICES, () => 50),
        ),
      ),
      'memory idle',
    );
    expect(t.met).toBe(true);
    expect(t.measured).toContain('; not measured: console');
    expect(target(evaluateTargets(input([], [])), 'memory idle')).toMatchObject({
      met: undefined,
      measured: 'not measured (no idle phase)',
    });
    expect(target(evaluateTargets(input([idle], [])), 'memory idle').met).toBeUndefined();
  });

  it('uses the limit of TARGETS and the same window as the report', () => {
    expect(TARGETS.idleRssMb).toBe(80);
    expect(IDLE_RSS_PROCESSES).toEqual(all);
    const max = phaseRssMax(
      points(100, 130, ['order-service'], (_, t) => (t < 105 ? 300 : t)),
      idle,
    );
    expect(max).toEqual({ 'order-service': 130 - 1 });
  });
});

describe('memory at 500/s', () => {
  const fixed = phase('fixed', 500, 200, 60);

  it('is met when each service stays at or below 150 MB during the load', () => {
    const rss = (name: string) => (name === 'order-service' ? 150 : 110);
    const t = target(evaluateTargets(input([fixed], points(200, 260, SERVICES, rss))), 'memory at 500/s');
    expect(t.met).toBe(true);
    expect(t.measured).toBe(
      'order-service 150, inventory-service 110, notification-service 110 MB (max over 60 s of load)',
    );
  });

  it('is missed when one service goes above 150 MB, and ignores RSS after the load and other processes', () => {
    const during = points(200, 260, [...SERVICES, 'kafka'], (name, t) =>
      name === 'kafka' ? 900 : name === 'notification-service' && t === 230 ? 151 : 120,
    );
    const after = points(261, 270, SERVICES, () => 400);
    const t = target(evaluateTargets(input([fixed], [...during, ...after])), 'memory at 500/s');
    expect(t.met).toBe(false);
    expect(t.measured).toBe(
      'order-service 120, inventory-service 120, notification-service 151 MB (max over 60 s of load)',
    );
  });

  it('is n/a without a fixed phase at 500/s (a step at 500/s is not one)', () => {
    const t = target(evaluateTargets(input([phase('step', 500, 200, 20)], [])), 'memory at 500/s');
    expect(t).toMatchObject({ met: undefined, measured: 'not measured (no fixed phase at 500/s)' });
    expect(TARGETS.rssAt500Mb).toBe(150);
  });
});

describe('memory over 10 minutes and the exit code', () => {
  // `npm run bench -- --mode fixed --rate 500 --duration 10m`: a 5-s warm-up, then the fixed phase.
  const warmup = phase('warmup', 500, 10, 5);
  const fixed = phase('fixed', 500, 20, 600);
  const sawtooth = (t: number) => 100 + (t % 30);
  const run = (rss: (name: string, t: number) => number, ok = true): Pick<BenchResult, 'ok' | 'targets'> => ({
    ok,
    targets: evaluateTargets(input([warmup, fixed], points(10, 630, SERVICES, rss))),
  });

  it('passes a flat (sawtooth) memory: met, nothing fails, exit 0', () => {
    const r = run((_, t) => sawtooth(t));
    const t = target(r.targets, 'memory over 10 minutes');
    expect(t.met).toBe(true);
    expect(t.failsRun).toBe(true);
    expect(t.failure).toBeUndefined();
    expect(t.measured).toContain('order-service peak 129 → 129 MB (+0.0 %; slope');
    expect(failingTargets(r.targets)).toEqual([]);
    expect(runExitCode(r)).toBe(0);
  });

  it('fails a growing service: met false, a one-line failure naming it and its peaks, exit 1', () => {
    // inventory-service gains 3 MB a minute: its 2nd half's peak is well above its 1st half's.
    const r = run((name, t) => sawtooth(t) + (name === 'inventory-service' ? (t * 3) / 60 : 0));
    const t = target(r.targets, 'memory over 10 minutes');
    expect(t.met).toBe(false);
    expect(failingTargets(r.targets)).toEqual([t]);
    expect(t.failure).toMatch(
      /^memory grew over the 10-minute phase fixed 500\/s: inventory-service peak \d+ → \d+ MB \(\+\d+\.\d %\); limit \+5 %$/,
    );
    expect(t.failure).not.toContain('order-service');
    expect(t.failure).not.toContain('\n');
    expect(runExitCode(r)).toBe(1);
  });

  it('checks the fixed phase only: after its first minute, up to the end of its load', () => {
    const { phase: checked, checks } = memoryGrowthChecks(
      input(
        [warmup, fixed],
        points(10, 700, SERVICES, () => 100),
      ),
    );
    expect(checked).toBe(fixed);
    expect(checks.map((c) => c.name)).toEqual(SERVICES);
    // A high RSS in the warm-up, in the first minute or after the load is not growth.
    const r = run((_, t) => (t < 80 ? 400 : sawtooth(t)));
    expect(target(r.targets, 'memory over 10 minutes').met).toBe(true);
  });

  it('is n/a (and fails nothing) for a phase shorter than 10 minutes or without RSS samples', () => {
    const short = evaluateTargets(
      input(
        [phase('fixed', 500, 20, 599)],
        points(10, 630, SERVICES, (_, t) => t),
      ),
    );
    expect(target(short, 'memory over 10 minutes')).toMatchObject({
      met: undefined,
      measured: 'not measured (fixed-rate phase 10.0 min; needs --duration 10m)',
    });
    expect(runExitCode({ ok: true, targets: short })).toBe(0);
    const external = evaluateTargets(input([fixed], []));
    expect(target(external, 'memory over 10 minutes').met).toBeUndefined();
    expect(runExitCode({ ok: true, targets: external })).toBe(0);
  });

  it('does not fail the run for a missed CPU, latency or RSS-limit target; a lost order still does', () => {
    const missed: TargetResult[] = [
      'idle',
      'CPU at 500/s',
      'latency at 500/s',
      'memory idle',
      'memory at 500/s',
    ].map((name) => ({ name, target: '', measured: '', met: false, command: '' }));
    expect(failingTargets(missed)).toEqual([]);
    expect(runExitCode({ ok: true, targets: missed })).toBe(0);
    expect(runExitCode({ ok: false, targets: [] })).toBe(1);
  });

  it('is the main fixed phase of --rate: a 10-minute 300/s run is checked at 300/s', () => {
    const at300 = phase('fixed', 300, 20, 600);
    const targets = evaluateTargets(
      input(
        [at300],
        points(10, 630, SERVICES, (_, t) => 100 + t / 10),
        300,
      ),
    );
    expect(target(targets, 'memory over 10 minutes').failure).toContain('phase fixed 300/s');
  });
});

describe('the report', () => {
  it('shows the idle RSS per process, and a run failed by a growing memory', () => {
    const idle = phase('idle', 0, 0, 30);
    const fixed = phase('fixed', 500, 40, 600);
    const procPoints = [
      ...points(0, 30, [...SERVICES, 'console'], (name) => (name === 'console' ? 55 : 70)),
      ...points(40, 640, SERVICES, (_, t) => 100 + t / 10),
    ];
    const base = input([idle, fixed], procPoints);
    const result = {
      ...base,
      version: 1,
      startedAt: '2026-01-01T10:00:00.000Z',
      finishedAt: '2026-01-01T10:15:00.000Z',
      label: undefined,
      git: { commit: 'abc', dirtyFiles: 0 },
      machine: {
        cpuModel: 'Test CPU',
        cores: 2,
        memoryGb: 8,
        kernel: '6',
        node: 'v24',
        java: '17',
        busyBeforeStartPct: 0,
        load1AtStart: 0,
      },
      stack: {},
      bound: undefined,
      exactlyOnce: {
        ok: true,
        checkedOrders: 1,
        lost: 0,
        duplicated: 0,
        inconsistent: 0,
        problems: [],
        accepted: 1,
        storedSinceStart: 1,
        kafkaLagAtEnd: [],
      },
      backlog: [],
      statements: undefined,
      profiles: undefined,
      serviceExits: [],
      targets: evaluateTargets(base),
      ok: true,
    } satisfies BenchResult;
    const md = renderReport(result, []);
    expect(md).toContain(
      '| RSS max MB (idle: after its first 5 s; else during the load) | idle | 500/s (600 s) |',
    );
    expect(md).toContain('| order-service | 70 | 164 |');
    expect(md).toContain('| console | 55 | – |');
    expect(md).toMatch(
      /\*\*Run FAILED: memory grew over the 10-minute phase fixed 500\/s: order-service peak/,
    );
    expect(md).toContain('**no** (fails the run) |');
    expect(md).toContain('| memory idle | RSS <= 80 MB');
    const passed = renderReport({ ...result, targets: evaluateTargets(input([idle], procPoints)) }, []);
    expect(passed).not.toContain('Run FAILED');
    expect(passed).toContain('n/a (a miss fails the run) |');
    expect(runExitCode(result)).toBe(1);
  });
});
