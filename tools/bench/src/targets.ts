/** The issue's targets, evaluated from a result (reported, never asserted). */
import { slope } from './proc-sampler.ts';
import type { BenchResult, TargetResult } from './result.ts';

/** RSS growth below this (after the first minute) counts as flat: 1 MB/min ≈ 35 bytes per order at 500/s. */
export const FLAT_RSS_MB_PER_MIN = 1;
const SERVICES = ['order-service', 'inventory-service', 'notification-service'];

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
    const slopes = SERVICES.map((name) => {
      const points = result.resources.points
        .filter((p) => p.t >= from && p.t <= fixed.loadEndedAt && p.rssMb[name] !== undefined)
        .map((p) => [p.t, p.rssMb[name] ?? 0] as [number, number]);
      return { name, perMin: slope(points) * 60, points: points.length };
    }).filter((s) => s.points > 1);
    targets.push({
      name: 'memory over 10 minutes',
      target: `each service's RSS flat (< ${FLAT_RSS_MB_PER_MIN} MB/min after the first minute)`,
      measured: slopes.length
        ? slopes.map((s) => `${s.name} ${s.perMin >= 0 ? '+' : ''}${s.perMin.toFixed(2)} MB/min`).join(', ')
        : 'no RSS samples (external stack?)',
      met: slopes.length ? slopes.every((s) => s.perMin < FLAT_RSS_MB_PER_MIN) : undefined,
      command: result.command,
    });
  } else {
    targets.push({
      name: 'memory over 10 minutes',
      target: `each service's RSS flat (< ${FLAT_RSS_MB_PER_MIN} MB/min after the first minute)`,
      measured: `not measured (fixed-rate phase ${fixed ? `${(fixed.durationMs / 60_000).toFixed(1)} min` : 'absent'}; needs --duration 10m)`,
      met: undefined,
      command: result.command,
    });
  }
  return targets;
}
