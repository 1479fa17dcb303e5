/** The report's charts, rendered from a result: each an SVG file next to report.md. */
import { pipelineBacklog } from './backlog.ts';
import { mainFixedPhase, mainRate } from './report.ts';
import type { BenchResult, PhaseResult } from './result.ts';
import { distributionChart, lineChart, type Tick } from './svg-chart.ts';

export interface Chart {
  file: string;
  title: string;
  svg: string;
}

const LATENCY_TARGET: Tick = { value: 50, label: 'target: p99 accepted→notified 50 ms at 500/s' };

function phaseMarkers(phases: PhaseResult[]): Tick[] {
  return phases.map((p) => ({ value: p.startedAt, label: p.kind === 'step' ? `${p.rate}/s` : p.name }));
}

export async function renderCharts(result: BenchResult): Promise<Chart[]> {
  const charts: Chart[] = [];
  const fixed = mainFixedPhase(result.phases, mainRate(result));
  if (fixed) {
    const per = fixed.perSecond.filter((s) => s.second < fixed.durationMs / 1000);
    charts.push({
      file: 'latency-over-time.svg',
      title: `Latency per second at ${fixed.rate} orders/s`,
      svg: await lineChart({
        title: `Latency per second, ${fixed.rate} orders/s (by second of arrival)`,
        xLabel: 'seconds into the run',
        yLabel: 'ms (log)',
        yScale: 'log',
        yMarkers: fixed.rate === 500 ? [LATENCY_TARGET] : [],
        series: [
          { name: 'HTTP p99', points: per.map((s) => [s.second, s.httpP99]) },
          { name: 'accepted→decided p99', points: per.map((s) => [s.second, s.decidedP99]) },
          { name: 'accepted→notified p50', points: per.map((s) => [s.second, s.notifiedP50]), dashed: true },
          { name: 'accepted→notified p99', points: per.map((s) => [s.second, s.notifiedP99]) },
        ],
      }),
    });
    charts.push({
      file: 'latency-distribution.svg',
      title: `Latency distribution at ${fixed.rate} orders/s`,
      svg: await distributionChart({
        title: `Latency by percentile, ${fixed.rate} orders/s, ${fixed.durationMs / 1000} s`,
        yMarkers: fixed.rate === 500 ? [LATENCY_TARGET] : [],
        series: [
          { name: 'HTTP (intended send → 201)', distribution: fixed.distributions.http },
          { name: '201 → CONFIRMED/REJECTED', distribution: fixed.distributions.decided },
          { name: '201 → notification stored', distribution: fixed.distributions.notified },
        ],
      }),
    });
  }

  const loadPhases = result.phases;
  if (loadPhases.length > 0) {
    const offered = loadPhases.flatMap((p) =>
      p.perSecond
        .filter((s) => s.sent > 0)
        .map((s) => [p.startedAt + s.second + 0.5, s.sent] as [number, number]),
    );
    const notified = loadPhases.flatMap((p) =>
      p.perSecond.map((s) => [p.startedAt + s.second + 0.5, s.notified] as [number, number]),
    );
    charts.push({
      file: 'throughput.svg',
      title: 'Offered load, completed orders and backlog over the run',
      svg: await lineChart({
        title: 'Orders/s sent and notified, and the pipeline backlog',
        xLabel: 'seconds since the bench started',
        yLabel: 'orders/s | orders',
        xMarkers: phaseMarkers(loadPhases),
        series: [
          { name: 'sent/s', points: offered },
          { name: 'notified/s', points: notified },
          {
            name: 'backlog (orders)',
            points: result.backlog.map((b) => [b.t, pipelineBacklog(b)]),
            dashed: true,
          },
        ],
      }),
    });
  }

  const points = result.resources.points;
  if (points.length > 0) {
    // The bench itself is left out: it holds every sample and reads every order at the end.
    const names = [...new Set(points.flatMap((p) => Object.keys(p.rssMb)))].filter((n) => n !== 'bench');
    charts.push({
      file: 'memory.svg',
      title: 'Resident memory per process',
      svg: await lineChart({
        title: 'RSS per process, sampled every second (load generator not shown)',
        xLabel: 'seconds since the bench started',
        yLabel: 'MB',
        xMarkers: phaseMarkers(loadPhases),
        series: names.map((name) => ({
          name,
          points: points.filter((p) => p.rssMb[name] !== undefined).map((p) => [p.t, p.rssMb[name] ?? 0]),
        })),
      }),
    });
    const cpuNames = [...new Set(points.flatMap((p) => Object.keys(p.cpu)))];
    charts.push({
      file: 'cpu.svg',
      title: 'CPU per process',
      svg: await lineChart({
        title: 'CPU per process, % of one core (machine max = cores × 100)',
        xLabel: 'seconds since the bench started',
        yLabel: '% of one core',
        xMarkers: phaseMarkers(loadPhases),
        series: [
          ...cpuNames.map((name) => ({
            name,
            points: points
              .filter((p) => p.cpu[name] !== undefined)
              .map((p) => [p.t, p.cpu[name] ?? 0] as [number, number]),
          })),
          {
            name: 'other processes',
            points: points.map((p) => [p.t, p.othersCpu] as [number, number]),
            dashed: true,
          },
        ],
      }),
    });
  }

  const steps = result.phases.filter((p) => p.kind === 'step').sort((a, b) => a.rate - b.rate);
  if (steps.length > 0) {
    charts.push({
      file: 'find-max.svg',
      title: 'Find-max steps',
      svg: await lineChart({
        title: 'Find-max: offered vs achieved end-to-end rate per step',
        xLabel: 'offered orders/s',
        yLabel: 'orders/s',
        series: [
          { name: 'offered', points: steps.map((s) => [s.rate, s.rate]), dashed: true },
          { name: '201/s', points: steps.map((s) => [s.rate, s.throughput.accepted]) },
          { name: 'end-to-end/s', points: steps.map((s) => [s.rate, s.throughput.endToEnd]) },
        ],
      }),
    });
    charts.push({
      file: 'find-max-latency.svg',
      title: 'Find-max latency per step',
      svg: await lineChart({
        title: 'Find-max: p99 latency per step',
        xLabel: 'offered orders/s',
        yLabel: 'ms (log)',
        yScale: 'log',
        series: [
          { name: 'HTTP p99', points: steps.map((s) => [s.rate, s.latencyMs.http.p99]) },
          {
            name: 'accepted→notified p50',
            points: steps.map((s) => [s.rate, s.latencyMs.notified.p50]),
            dashed: true,
          },
          { name: 'accepted→notified p99', points: steps.map((s) => [s.rate, s.latencyMs.notified.p99]) },
        ],
      }),
    });
  }
  return charts;
}
