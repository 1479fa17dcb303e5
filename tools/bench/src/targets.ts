/**
 * The issues' targets, evaluated from a result. Reported; only a growing memory over a 10-minute
 * phase fails the run (`failsRun`, see failingTargets), a missed CPU or latency target never does.
 */
import { SERVICES } from '@kafka-poc/contracts';
import { slope } from './proc-sampler.ts';
import {
  IDLE_RSS_SKIP_S,
  mainFixedPhase,
  mainRate,
  phaseRssMax,
  stackCores,
  stackMsPerOrder,
} from './report.ts';
import type { BenchResult, PhaseResult, TargetResult } from './result.ts';

/**
 * Flat memory: after the first minute, the RSS peak of the second half of the run is at most 5 %
 * above the peak of the first half. (A least-squares slope is reported too, but V8's heap grows and
 * shrinks in a sawtooth, so a slope over minutes says little; a leak makes new peaks.)
 */
export const FLAT_PEAK_GROWTH = 0.05;

/** Peaks of the first and second half of the points' time span, and the relative growth. */
export function peakGrowth(
  points: [number, number][],
): { first: number; second: number; growth: number } | undefined {
  if (points.length < 4) return undefined;
  const start = points[0]?.[0] ?? 0;
  const end = points.at(-1)?.[0] ?? 0;
  const middle = start + (end - start) / 2;
  const first = Math.max(...points.filter(([t]) => t < middle).map(([, v]) => v));
  const second = Math.max(...points.filter(([t]) => t >= middle).map(([, v]) => v));
  return { first, second, growth: first > 0 ? second / first - 1 : 0 };
}

/** Issue 14's targets (2-core machine, everything local, fsync on) and issue 26's memory targets. */
export const TARGETS = {
  idleCores: 0.05,
  msPerOrderAt100: 3,
  msPerOrderAt500: 1.5,
  p99At500Ms: 50,
  sustained: 5000,
  /** RSS of each service and of the console when idle: the max after the idle phase's first 5 s. */
  idleRssMb: 80,
  /** RSS of each service at 500 orders/s: the max during the fixed phase's load. */
  rssAt500Mb: 150,
};

/** The processes of the idle memory target: the three services and the console. */
export const IDLE_RSS_PROCESSES: readonly string[] = [...Object.values(SERVICES), 'console'];

/** A fixed-rate phase this long or longer is checked for growing memory (and fails the run when it grows). */
export const GROWTH_PHASE_MS = 600_000;

const GROWTH_TARGET = `each service's RSS flat (after the first minute, the 2nd half's peak ≤ the 1st half's + ${FLAT_PEAK_GROWTH * 100} %)`;

type MemoryInput = Pick<BenchResult, 'phases' | 'resources' | 'options'>;

interface GrowthCheck {
  name: string;
  perMin: number;
  peaks: { first: number; second: number; growth: number };
}

/**
 * The memory-growth check of the main fixed-rate phase (--rate's, see mainFixedPhase) when it ran
 * for at least 10 minutes: per service, the peaks of the two halves of its load after the first
 * minute. `checks` is empty when no RSS was sampled (an external stack); undefined phase: not measured.
 */
export function memoryGrowthChecks(result: MemoryInput): {
  phase: PhaseResult | undefined;
  checks: GrowthCheck[];
} {
  const fixed = mainFixedPhase(result.phases, mainRate(result));
  if (!fixed || fixed.durationMs < GROWTH_PHASE_MS) return { phase: undefined, checks: [] };
  const from = fixed.startedAt + 60;
  const checks: GrowthCheck[] = [];
  for (const name of Object.values(SERVICES)) {
    const points = result.resources.points
      .filter((p) => p.t >= from && p.t <= fixed.loadEndedAt && p.rssMb[name] !== undefined)
      .map((p) => [p.t, p.rssMb[name] ?? 0] as [number, number]);
    const peaks = peakGrowth(points);
    if (peaks) checks.push({ name, perMin: slope(points) * 60, peaks });
  }
  return { phase: fixed, checks };
}

/** The targets whose miss fails the run (met === false and failsRun): today only the memory growth. */
export function failingTargets(targets: TargetResult[]): TargetResult[] {
  return targets.filter((t) => t.failsRun === true && t.met === false);
}

/**
 * `npm run bench`'s exit code for a finished run: 1 when an order was lost or duplicated (ok false)
 * or a target that fails the run was missed (a service's memory grew), else 0.
 */
export function runExitCode(result: Pick<BenchResult, 'ok' | 'targets'>): 0 | 1 {
  return !result.ok || failingTargets(result.targets).length > 0 ? 1 : 0;
}

/** "order-service 112, inventory-service 108" for the processes that have a value. */
function mbList(values: Record<string, number>, names: readonly string[]): string {
  return names
    .filter((n) => values[n] !== undefined)
    .map((n) => `${n} ${(values[n] ?? 0).toFixed(0)}`)
    .join(', ');
}

export function evaluateTargets(
  result: Pick<BenchResult, 'phases' | 'findMax' | 'resources' | 'command' | 'options'>,
): TargetResult[] {
  const targets: TargetResult[] = [];
  const command = result.command;
  const at = (rate: number) =>
    result.phases.find((p) => p.rate === rate && p.kind === (rate === 0 ? 'idle' : 'fixed'));

  const idle = at(0);
  targets.push({
    name: 'idle',
    target: `<= ${TARGETS.idleCores} cores for the whole stack`,
    measured: idle
      ? `${stackCores(idle).toFixed(3)} cores (${topProcesses(idle, 'cores')})`
      : 'not measured (no idle phase)',
    met: idle ? stackCores(idle) <= TARGETS.idleCores : undefined,
    command,
  });

  const cpuTarget = (rate: number, limitMs: number): void => {
    const phase = at(rate);
    targets.push({
      name: `CPU at ${rate}/s`,
      target: `<= ${limitMs} ms of CPU per order, whole stack`,
      measured: phase
        ? `${stackMsPerOrder(phase).toFixed(2)} ms (${topProcesses(phase, 'ms')})`
        : `not measured (no fixed phase at ${rate}/s)`,
      met: phase ? stackMsPerOrder(phase) <= limitMs : undefined,
      command,
    });
  };
  cpuTarget(100, TARGETS.msPerOrderAt100);
  cpuTarget(500, TARGETS.msPerOrderAt500);
  const at500 = at(500);
  targets.push({
    name: 'latency at 500/s',
    target: `p99 accepted → notified <= ${TARGETS.p99At500Ms} ms`,
    measured: at500
      ? `p99 ${at500.latencyMs.notified.p99.toFixed(1)} ms (p50 ${at500.latencyMs.notified.p50.toFixed(1)} ms, ${at500.latencyMs.notified.count} orders over ${at500.durationMs / 1000} s)`
      : 'not measured (no fixed phase at 500/s)',
    met: at500 ? at500.latencyMs.notified.p99 <= TARGETS.p99At500Ms : undefined,
    command,
  });

  const max = result.findMax?.maxSustained;
  targets.push({
    name: 'sustained throughput',
    target: `>= ${TARGETS.sustained.toLocaleString('en-US')} orders/s end-to-end, no growing lag`,
    measured: result.findMax
      ? max === undefined
        ? 'no step sustained'
        : `${max} orders/s (highest sustained find-max step)`
      : 'not measured (no find-max in this run)',
    met: result.findMax ? (max ?? 0) >= TARGETS.sustained : undefined,
    command,
  });

  const services: readonly string[] = Object.values(SERVICES);
  const idleRss = idle ? phaseRssMax(result.resources.points, idle) : {};
  const idleMeasured = IDLE_RSS_PROCESSES.filter((n) => idleRss[n] !== undefined);
  const idleMissing = IDLE_RSS_PROCESSES.filter((n) => idleRss[n] === undefined);
  targets.push({
    name: 'memory idle',
    target: `RSS <= ${TARGETS.idleRssMb} MB for each service and the console (max after the idle phase's first ${IDLE_RSS_SKIP_S} s)`,
    measured: !idle
      ? 'not measured (no idle phase)'
      : idleMeasured.length === 0
        ? 'no RSS samples (external stack?)'
        : `${mbList(idleRss, idleMeasured)} MB${idleMissing.length ? `; not measured: ${idleMissing.join(', ')}` : ''}`,
    met: idleMeasured.length ? idleMeasured.every((n) => (idleRss[n] ?? 0) <= TARGETS.idleRssMb) : undefined,
    command,
  });

  const rss500 = at500 ? phaseRssMax(result.resources.points, at500) : {};
  const measured500 = services.filter((n) => rss500[n] !== undefined);
  targets.push({
    name: 'memory at 500/s',
    target: `RSS <= ${TARGETS.rssAt500Mb} MB for each service (max during the load; the issue: sustained 10 minutes, see memory over 10 minutes)`,
    measured: !at500
      ? 'not measured (no fixed phase at 500/s)'
      : measured500.length === 0
        ? 'no RSS samples (external stack?)'
        : `${mbList(rss500, measured500)} MB (max over ${at500.durationMs / 1000} s of load)`,
    met: measured500.length ? measured500.every((n) => (rss500[n] ?? 0) <= TARGETS.rssAt500Mb) : undefined,
    command,
  });

  targets.push(growthTarget(result, command));
  return targets;
}

/** 'memory over 10 minutes': the one target whose miss fails the run. */
function growthTarget(result: MemoryInput, command: string): TargetResult {
  const { phase, checks } = memoryGrowthChecks(result);
  if (!phase) {
    const fixed = mainFixedPhase(result.phases, mainRate(result));
    return {
      name: 'memory over 10 minutes',
      target: GROWTH_TARGET,
      measured: `not measured (fixed-rate phase ${fixed ? `${(fixed.durationMs / 60_000).toFixed(1)} min` : 'absent'}; needs --duration 10m)`,
      met: undefined,
      command,
      failsRun: true,
    };
  }
  const peaks = (c: GrowthCheck) =>
    `${c.name} peak ${c.peaks.first.toFixed(0)} → ${c.peaks.second.toFixed(0)} MB (${pctText(c.peaks.growth)}`;
  const grown = checks.filter((c) => c.peaks.growth > FLAT_PEAK_GROWTH);
  const met = checks.length ? grown.length === 0 : undefined;
  return {
    name: 'memory over 10 minutes',
    target: GROWTH_TARGET,
    measured: checks.length
      ? checks
          .map((c) => `${peaks(c)}; slope ${c.perMin >= 0 ? '+' : ''}${c.perMin.toFixed(1)} MB/min)`)
          .join(', ')
      : 'no RSS samples (external stack?)',
    met,
    command,
    failsRun: true,
    ...(met === false
      ? {
          failure: `memory grew over the ${(phase.durationMs / 60_000).toFixed(0)}-minute phase ${phase.name}: ${grown.map((c) => `${peaks(c)})`).join(', ')}; limit +${FLAT_PEAK_GROWTH * 100} %`,
        }
      : {}),
  };
}

/** The three processes that cost the most in a phase, e.g. "kafka 0.64, order-service 0.30, …". */
function topProcesses(p: PhaseResult, unit: 'cores' | 'ms'): string {
  const values = unit === 'cores' ? (p.cpuCores ?? {}) : p.cpuMsPerOrder;
  return Object.entries(values)
    .filter(([name]) => name !== 'bench' && name !== 'perf tools')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, v]) => `${name} ${v.toFixed(unit === 'cores' ? 3 : 2)}`)
    .join(', ');
}

function pctText(v: number): string {
  return `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} %`;
}
