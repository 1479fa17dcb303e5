import { describe, expect, it } from 'vitest';
import {
  distributionChart,
  escapeXml,
  formatNumber,
  lineChart,
  logTicks,
  makeScale,
  niceCeiling,
  niceTicks,
  toNines,
} from './svg-chart.ts';

describe('ticks and scales', () => {
  it('picks round linear ticks', () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 7, 6)).toEqual([0, 2, 4, 6]);
    expect(niceTicks(0.5, 0.5)).toEqual([0.5]);
  });

  it('rounds the top of a linear axis up to a tick, never below the data', () => {
    expect(niceCeiling(157)).toBe(200);
    expect(niceCeiling(100)).toBe(100);
    expect(niceCeiling(1234)).toBe(1250);
    for (const v of [0.7, 3, 42, 999, 12_345]) expect(niceCeiling(v)).toBeGreaterThanOrEqual(v);
  });

  it('picks powers of ten (with 2 and 5 on narrow ranges) for log axes', () => {
    expect(logTicks(1, 1000)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
    expect(logTicks(0.1, 100_000)).toEqual([0.1, 1, 10, 100, 1000, 10_000, 100_000]);
  });

  it('maps values linearly or logarithmically into pixels (y grows downwards)', () => {
    const linear = makeScale([0, 100], [300, 0]);
    expect(linear(0)).toBe(300);
    expect(linear(50)).toBe(150);
    const log = makeScale([1, 1000], [300, 0], 'log');
    expect(log(10)).toBeCloseTo(200, 10);
    expect(log(0)).toBe(300); // clamped to the domain's minimum
  });

  it('formats axis numbers compactly', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(0.25)).toBe('0.25');
    expect(formatNumber(1234)).toBe('1234');
    expect(formatNumber(25_000)).toBe('25k');
    expect(formatNumber(3_200_000)).toBe('3.2M');
  });

  it('spaces percentiles by nines', () => {
    expect(toNines(0)).toBe(0);
    expect(toNines(90)).toBeCloseTo(1, 10);
    expect(toNines(99.9)).toBeCloseTo(3, 10);
    expect(toNines(100, 4.2)).toBe(4.2);
  });
});

describe('lineChart', () => {
  it('draws one polyline per series with a legend, escaping text', () => {
    const svg = lineChart({
      title: 'p99 <http> & e2e',
      xLabel: 's',
      yLabel: 'ms',
      series: [
        {
          name: 'http p99',
          points: [
            [0, 1],
            [1, 2],
            [2, 3],
          ],
        },
        {
          name: 'notified p99',
          points: [
            [0, 10],
            [2, 20],
          ],
          dashed: true,
        },
      ],
      yMarkers: [{ value: 100, label: 'target 100 ms' }],
      xMarkers: [{ value: 1, label: 'step' }],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('p99 &lt;http&gt; &amp; e2e');
    expect(svg).toContain('http p99');
    expect(svg).toContain('target 100 ms');
    expect(svg).toContain('stroke-dasharray="5 3"');
    const first = /points="([^"]+)"/.exec(svg)?.[1]?.split(' ');
    expect(first).toHaveLength(3);
    // The y axis starts at 0 and covers the 100 ms marker: larger values are higher up.
    const ys = (first ?? []).map((p) => Number(p.split(',')[1]));
    expect(ys[0]).toBeGreaterThan(ys[2] ?? 0);
  });

  it('skips non-positive values on a log axis and says so when there is no data', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      yScale: 'log',
      series: [
        {
          name: 'a',
          points: [
            [0, 0],
            [1, 10],
            [2, 100],
          ],
        },
      ],
    });
    expect(/points="([^"]+)"/.exec(svg)?.[1]?.split(' ')).toHaveLength(2);
    expect(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] })).toContain('no data');
  });

  it('keeps escaping for arbitrary names', () => {
    expect(escapeXml('"a" <b> & c')).toBe('&quot;a&quot; &lt;b&gt; &amp; c');
  });
});

describe('distributionChart', () => {
  it('plots percentiles on a nines axis with labelled ticks', () => {
    const svg = distributionChart({
      title: 'latency by percentile',
      series: [
        {
          name: 'notified',
          distribution: [
            [0, 5],
            [90, 20],
            [99, 50],
            [99.9, 80],
            [100, 120],
          ],
        },
      ],
      yMarkers: [{ value: 100, label: '100 ms' }],
    });
    for (const label of ['50%', '90%', '99%', '99.9%', 'max']) expect(svg).toContain(`>${label}<`);
    expect(/points="([^"]+)"/.exec(svg)?.[1]?.split(' ')).toHaveLength(5);
  });
});
