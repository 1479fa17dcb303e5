import { describe, expect, it } from 'vitest';
import { distributionChart, lineChart, lineChartSpec, toNines } from './svg-chart.ts';

/** The `d` of every line drawn in an SVG (Vega draws each series as one path with stroke-dasharray). */
function lines(svg: string): { d: string; dash: string | undefined }[] {
  return [...svg.matchAll(/<path d="(M[^"]*)"[^>]*stroke-width="1.6"[^>]*>/g)].map((m) => ({
    d: m[1] ?? '',
    dash: /stroke-dasharray="([^"]*)"/.exec(m[0])?.[1],
  }));
}

const POINTS: [number, number][] = [
  [0, 1],
  [1, 2],
  [2, 3],
];

describe('lineChartSpec', () => {
  it('has one row per finite point, colour and dash per series, and marker layers', () => {
    const spec = lineChartSpec({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 'a', points: [...POINTS, [3, Number.NaN]] },
        { name: 'b', points: POINTS, dashed: true, color: '#123456' },
      ],
      yMarkers: [{ value: 100, label: 'target' }],
      xMarkers: [
        { value: 1, label: 'step 1' },
        { value: 1.1, label: 'step 2' },
        { value: 99, label: 'outside' },
      ],
    }) as unknown as {
      layer: {
        data: { values: Record<string, unknown>[] };
        encoding: Record<string, { scale?: { domain?: unknown; range?: unknown } }>;
      }[];
    };
    const [lineLayer, xRule, xText, yRule] = spec.layer;
    expect(lineLayer?.data.values).toHaveLength(6);
    expect(lineLayer?.encoding.color?.scale).toEqual({ domain: ['a', 'b'], range: ['#1f77b4', '#123456'] });
    expect(lineLayer?.encoding.strokeDash?.scale?.range).toEqual([
      [1, 0],
      [5, 3],
    ]);
    // Markers outside the data stay out; labels of close markers go one row lower.
    expect(xRule?.data.values.map((m) => m.label)).toEqual(['step 1', 'step 2']);
    expect(xText?.data.values.map((m) => m.top)).toEqual([10, 21]);
    expect(yRule?.data.values).toEqual([{ value: 100, label: 'target' }]);
  });

  it('drops non-positive values on a log axis', () => {
    const spec = lineChartSpec({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      yScale: 'log',
      series: [{ name: 'a', points: [[0, 0], ...POINTS] }],
    }) as unknown as { layer: { data: { values: unknown[] } }[] };
    expect(spec.layer[0]?.data.values).toHaveLength(3);
  });
});

describe('lineChart', () => {
  it('renders a standalone SVG with one line per series, a legend and escaped text', async () => {
    const svg = await lineChart({
      title: 'p99 <http> & e2e',
      xLabel: 'seconds',
      yLabel: 'ms',
      series: [
        { name: 'http p99', points: POINTS },
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
    });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('p99 &lt;http&gt; &amp; e2e');
    for (const text of ['http p99', 'notified p99', 'target 100 ms', 'seconds']) expect(svg).toContain(text);
    const drawn = lines(svg);
    expect(drawn).toHaveLength(2);
    expect(drawn.map((l) => l.dash)).toEqual(['1,0', '5,3']);
    // Three points; the last one is higher up (smaller y) than the first.
    const ys = [...(drawn[0]?.d ?? '').matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]));
    expect(ys).toHaveLength(3);
    expect(ys[0]).toBeGreaterThan(ys[2] ?? 0);
    // Path coordinates are written to a tenth of a pixel.
    expect(drawn[0]?.d).not.toMatch(/\.\d\d/);
  });

  it('says so when there is no data', async () => {
    const svg = await lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] });
    expect(svg).toContain('no data');
    expect(lines(svg)).toHaveLength(0);
  });

  it('labels a log axis with powers of ten and plain numbers', async () => {
    const svg = await lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      yScale: 'log',
      series: [
        {
          name: 'a',
          points: [
            [0, 0.5],
            [1, 30],
            [2, 25_000],
          ],
        },
      ],
    });
    for (const label of ['>0.1<', '>1<', '>10<', '>100<', '>1000<', '>100k<']) expect(svg).toContain(label);
    expect(svg).not.toContain('>200m<');
    expect(svg).not.toContain('>20<'); // five decades: no 2× and 5× labels
  });
});

describe('distributionChart', () => {
  it('spaces percentiles by nines', () => {
    expect(toNines(0)).toBe(0);
    expect(toNines(90)).toBeCloseTo(1, 10);
    expect(toNines(99.9)).toBeCloseTo(3, 10);
    expect(toNines(100, 4.2)).toBe(4.2);
  });

  it('plots percentiles on a nines axis with labelled ticks', async () => {
    const svg = await distributionChart({
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
    for (const label of ['0%', '50%', '90%', '99%', '99.9%', 'max']) expect(svg).toContain(`>${label}<`);
    expect([...(lines(svg)[0]?.d ?? '').matchAll(/[ML]/g)]).toHaveLength(5);
  });
});
