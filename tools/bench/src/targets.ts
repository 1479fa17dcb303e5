/** The issue's targets, evaluated from a result (reported, never asserted). */
import { SERVICES } from '@kafka-poc/contracts';
import { slope } from './proc-sampler.ts';
import type { BenchResult, TargetResult } from './result.ts';

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

export function evaluateTargets(
  result: Pick<BenchResult, 'phases' | 'findMax' | 'resources' | 'command'>,
): TargetResult[] {
  const targets: TargetResult[] = [];
  const fixed = result.phases.find((p) => p.kind === 'fixed');

  const max = result.findMax?.maxSustained;
  targets.push({
    name: 'sustained throughput',
    target: '>= 2,000 orders/s end-to-end, no growing lag',
    measured: result.findMax
      ? max === undefined
        ? 'no step sustained'
        : `${max} orders/s (highest sustained find-max step)`
      : 'not measured (no find-max in this run)',
    met: result.findMax ? (max ?? 0) >= 2000 : undefined,
    command: result.command,
  });

  if (fixed && fixed.rate === 500) {
    const p99 = fixed.latencyMs.notified.p99;
    targets.push({
      name: 'latency at 500/s',
      target: 'p99 accepted → notified <= 100 ms',
      measured: `p99 ${p99.toFixed(1)} ms (p50 ${fixed.latencyMs.notified.p50.toFixed(1)} ms, ${fixed.latencyMs.notified.count} orders)`,
      met: p99 <= 100,
      command: result.command,
    });
  } else {
    targets.push({
      name: 'latency at 500/s',
      target: 'p99 accepted → notified <= 100 ms',
      measured: fixed
        ? `not measured (fixed rate was ${fixed.rate}/s)`
        : 'not measured (no fixed-rate phase)',
      met: undefined,
      command: result.command,
    });
  }

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
      command: result.command,
    });
  } else {
    targets.push({
      name: 'memory over 10 minutes',
      target: `each service's RSS flat (after the first minute, the 2nd half's peak ≤ the 1st half's + ${FLAT_PEAK_GROWTH * 100} %)`,
      measured: `not measured (fixed-rate phase ${fixed ? `${(fixed.durationMs / 60_000).toFixed(1)} min` : 'absent'}; needs --duration 10m)`,
      met: undefined,
      command: result.command,
    });
  }
  return targets;
}

function pctText(v: number): string {
  return `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} %`;
}
