/** The issue's targets, evaluated from a result (reported, never asserted). */
import { SERVICES } from '@kafka-poc/contracts';
import { slope } from './proc-sampler.ts';
import { mainFixedPhase, mainRate, stackCores, stackMsPerOrder } from './report.ts';
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

/** Issue 14's targets (2-core machine, everything local, fsync on). */
export const TARGETS = {
  idleCores: 0.05,
  msPerOrderAt100: 3,
  msPerOrderAt500: 1.5,
  p99At500Ms: 50,
  sustained: 5000,
};

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

  const fixed = mainFixedPhase(result.phases, mainRate(result));

  if (fixed && fixed.durationMs >= 600_000) {
    const from = fixed.startedAt + 60;
    const checks = Object.values(SERVICES)
      .map((name) => {
        const points = result.resources.points
          .filter((p) => p.t >= from && p.t <= fixed.loadEndedAt && p.rssMb[name] !== undefined)
          .map((p) => [p.t, p.rssMb[name] ?? 0] as [number, number]);
        return { name, perMin: slope(points) * 60, peaks: peakGrowth(points) };
      })
      .filter((c) => c.peaks !== undefined);
    targets.push({
      name: 'memory over 10 minutes',
      target: `each service's RSS flat (after the first minute, the 2nd half's peak ≤ the 1st half's + ${FLAT_PEAK_GROWTH * 100} %)`,
      measured: checks.length
        ? checks
            .map(
              (c) =>
                `${c.name} peak ${c.peaks?.first.toFixed(0)} → ${c.peaks?.second.toFixed(0)} MB (${pctText(c.peaks?.growth ?? 0)}; slope ${c.perMin >= 0 ? '+' : ''}${c.perMin.toFixed(1)} MB/min)`,
            )
            .join(', ')
        : 'no RSS samples (external stack?)',
      met: checks.length ? checks.every((c) => (c.peaks?.growth ?? 0) <= FLAT_PEAK_GROWTH) : undefined,
      command,
    });
  } else {
    targets.push({
      name: 'memory over 10 minutes',
      target: `each service's RSS flat (after the first minute, the 2nd half's peak ≤ the 1st half's + ${FLAT_PEAK_GROWTH * 100} %)`,
      measured: `not measured (fixed-rate phase ${fixed ? `${(fixed.durationMs / 60_000).toFixed(1)} min` : 'absent'}; needs --duration 10m)`,
      met: undefined,
      command,
    });
  }
  return targets;
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
