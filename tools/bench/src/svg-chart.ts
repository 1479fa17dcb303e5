/**
 * The report's SVG line charts, drawn by Vega-Lite (compiled to Vega, rendered headless with
 * `View.toSVG()`: no browser, no DOM): latency over time, latency percentile distributions (x in
 * "nines": 90 %, 99 %, 99.9 % equally spaced), throughput, memory and CPU over time.
 */
import { parse, Error as VEGA_ERROR, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface Series {
  name: string;
  points: [number, number][];
  color?: string;
  dashed?: boolean;
}

export interface Tick {
  value: number;
  label: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Size of the plot area (axes, title and legend come on top). */
  width?: number;
  height?: number;
  yScale?: 'linear' | 'log';
  xTicks?: Tick[];
  xDomain?: [number, number];
  /** Vertical lines (phase boundaries). */
  xMarkers?: Tick[];
  /** Horizontal lines (targets). */
  yMarkers?: Tick[];
}

export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
];

/** Axis numbers: 0.5, 20, 1500, then 25k, 3.2M (Vega's SI format alone would write 0.2 as "200m"). */
const NUMBER_LABEL = "abs(datum.value) >= 10000 ? format(datum.value, '.3~s') : format(datum.value, '~g')";

const DASHED = [5, 3];
const SOLID = [1, 0];

type LayeredSpec = Extract<TopLevelSpec, { layer: unknown }>;
type Layer = LayeredSpec['layer'][number];

/** Renders a Vega-Lite spec to a standalone SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const quiet = {
    level: () => quiet,
    error: () => quiet,
    warn: () => quiet,
    info: () => quiet,
    debug: () => quiet,
  };
  const { spec: vega } = compile(spec, { logger: quiet as never });
  const view = new View(parse(vega), { renderer: 'none', logLevel: VEGA_ERROR });
  try {
    // Vega writes path coordinates to 1/1000 px; a tenth is plenty and makes the file a quarter smaller.
    const svg = await view.toSVG();
    return svg.replace(/ d="([^"]*)"/g, (_, d: string) => ` d="${d.replace(/(\.\d)\d+/g, '$1')}"`);
  } finally {
    view.finalize();
  }
}

/**
 * A Vega expression that labels an axis value with the label of the given tick (values elsewhere
 * get no label), e.g. the nines of a distribution chart as "90%", "99%", "max".
 */
export function tickLabelExpr(ticks: Tick[]): string {
  const cases = ticks.map((t) => `abs(datum.value - ${t.value}) < 1e-9 ? ${JSON.stringify(t.label)} : `);
  return `${cases.join('')}''`;
}

/**
 * Labels of a log axis: powers of ten, plus 2× and 5× when the values span at most three decades
 * (the grid keeps a line at every multiple).
 */
function logLabelExpr(values: number[]): string {
  const decades = Math.log10(Math.max(...values) / Math.min(...values));
  const shown = decades <= 3 ? '[1, 2, 5]' : '[1]';
  const mantissa = 'round(datum.value / pow(10, floor(log(datum.value) / LN10 + 1e-9)) * 1000) / 1000';
  return `indexof(${shown}, ${mantissa}) >= 0 ? ${NUMBER_LABEL} : ''`;
}

/** The Vega-Lite spec of a line chart (exported for tests; lineChart renders it). */
export function lineChartSpec(options: ChartOptions): TopLevelSpec {
  const logY = options.yScale === 'log';
  const rows = options.series.flatMap((s) =>
    s.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0))
      .map(([x, y]) => ({ series: s.name, x, y })),
  );
  const width = options.width ?? 680;
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width,
    height: options.height ?? 228,
    background: 'white',
    // No ARIA attributes on every mark: it is a static image in a markdown report.
    config: { font: 'sans-serif', aria: false, legend: { labelLimit: 0 } },
  } satisfies Partial<LayeredSpec>;
  if (rows.length === 0) {
    return {
      ...base,
      data: { values: [{}] },
      mark: { type: 'text', text: 'no data', color: '#888', fontSize: 12 },
    };
  }
  const xs = rows.map((r) => r.x);
  const xDomain = options.xDomain ?? [Math.min(...xs), Math.max(...xs)];
  const names = options.series.map((s) => s.name);
  const colors = options.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length] ?? '#000');
  const dashes = options.series.map((s) => (s.dashed ? DASHED : SOLID));
  // The same legend settings on colour and dash make Vega-Lite draw one legend showing both.
  const legend = {
    orient: 'bottom',
    title: null,
    symbolType: 'stroke',
    symbolStrokeWidth: 2,
    columns: Math.min(4, names.length),
  } as const;
  const x = {
    field: 'x',
    type: 'quantitative',
    title: options.xLabel,
    scale: { domain: xDomain, zero: false, nice: false },
    axis: options.xTicks
      ? {
          values: options.xTicks.map((t) => t.value),
          labelExpr: tickLabelExpr(options.xTicks),
          labelOverlap: false,
          grid: true,
        }
      : { grid: true, labelExpr: NUMBER_LABEL },
  } as const;
  const y = {
    field: 'y',
    type: 'quantitative',
    title: options.yLabel,
    scale: logY ? ({ type: 'log', nice: true } as const) : { zero: true, nice: true },
    axis: { labelExpr: logY ? logLabelExpr(rows.map((r) => r.y)) : NUMBER_LABEL },
  } as const;
  const layers: Layer[] = [
    {
      data: { values: rows },
      mark: { type: 'line', strokeWidth: 1.6, clip: true },
      encoding: {
        x,
        y,
        color: { field: 'series', type: 'nominal', scale: { domain: names, range: colors }, legend },
        strokeDash: { field: 'series', type: 'nominal', scale: { domain: names, range: dashes }, legend },
      },
    },
  ];
  const xMarkers = (options.xMarkers ?? []).filter((m) => m.value >= xDomain[0] && m.value <= xDomain[1]);
  if (xMarkers.length > 0) layers.push(...xMarkerLayers(xMarkers, xDomain, width));
  if (options.yMarkers?.length) {
    layers.push(
      {
        data: { values: options.yMarkers },
        mark: { type: 'rule', color: '#000', strokeDash: [6, 4], strokeWidth: 1 },
        encoding: { y: { field: 'value', type: 'quantitative' } },
      },
      {
        data: { values: options.yMarkers },
        mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -3, fontSize: 10, x: width - 4 },
        encoding: { y: { field: 'value', type: 'quantitative' }, text: { field: 'label' } },
      },
    );
  }
  return { ...base, layer: layers };
}

/** Dotted vertical lines with a label at the top; labels of markers close together go one row lower. */
function xMarkerLayers(markers: Tick[], domain: [number, number], width: number): Layer[] {
  const span = domain[1] - domain[0] || 1;
  let lastX = Number.NEGATIVE_INFINITY;
  let row = 0;
  const values = markers.map((m) => {
    const px = ((m.value - domain[0]) / span) * width;
    row = px - lastX < 70 ? row + 1 : 0;
    lastX = px;
    return { ...m, top: 10 + row * 11 };
  });
  return [
    {
      data: { values },
      mark: { type: 'rule', color: '#999', strokeDash: [2, 3] },
      encoding: { x: { field: 'value', type: 'quantitative' } },
    },
    {
      data: { values },
      mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#666' },
      encoding: {
        x: { field: 'value', type: 'quantitative' },
        y: { field: 'top', type: 'quantitative', scale: null },
        text: { field: 'label' },
      },
    },
  ];
}

export function lineChart(options: ChartOptions): Promise<string> {
  return renderSvg(lineChartSpec(options));
}

/** Percentile q (0–100) as "nines" (90 → 1, 99 → 2, 99.9 → 3), the x axis of a latency distribution. */
export function toNines(q: number, cap = 5): number {
  if (q >= 100) return cap;
  return q <= 0 ? 0 : Math.min(cap, -Math.log10(1 - q / 100));
}

/** The options of a latency-by-percentile chart: log scale, x evenly spaced in nines, the max at the end. */
export function distributionChartOptions(args: {
  title: string;
  series: { name: string; distribution: [number, number][]; color?: string; dashed?: boolean }[];
  yMarkers?: Tick[];
}): ChartOptions {
  const maxNines = Math.max(
    2,
    ...args.series.flatMap((s) => s.distribution.filter(([q]) => q < 100).map(([q]) => toNines(q))),
  );
  const cap = Math.ceil(maxNines * 10) / 10 + 0.2;
  const labels: Tick[] = [
    { value: 0, label: '0%' },
    { value: toNines(50), label: '50%' },
    { value: 1, label: '90%' },
    { value: 2, label: '99%' },
    { value: 3, label: '99.9%' },
    { value: 4, label: '99.99%' },
    { value: cap, label: 'max' },
  ].filter((t) => t.value <= cap);
  return {
    title: args.title,
    xLabel: 'percentile',
    yLabel: 'latency (ms, log)',
    yScale: 'log',
    xDomain: [0, cap],
    xTicks: labels,
    ...(args.yMarkers ? { yMarkers: args.yMarkers } : {}),
    series: args.series.map((s) => ({
      name: s.name,
      points: s.distribution.map(([q, v]) => [toNines(q, cap), v] as [number, number]),
      ...(s.color ? { color: s.color } : {}),
      ...(s.dashed ? { dashed: s.dashed } : {}),
    })),
  };
}

export function distributionChart(args: Parameters<typeof distributionChartOptions>[0]): Promise<string> {
  return lineChart(distributionChartOptions(args));
}
