import { type ChartSeries, chartGeometry } from '../src/shared/chart-geometry.ts';
import { h, svg } from './dom.ts';

export interface LineChartOptions {
  series: ChartSeries[];
  /** CSS classes of the series lines (colours live in styles.css). */
  classes?: string[];
  yFormat?: (value: number) => string;
  xFormat?: (value: number) => string;
  label: string;
  width?: number;
  height?: number;
  emptyText?: string;
  /** Whole-number y ticks (counts such as lag). */
  integer?: boolean;
}

/** An SVG line chart with y grid lines, x labels and a legend. */
export function lineChart(options: LineChartOptions): HTMLElement {
  const width = options.width ?? 720;
  const height = options.height ?? 200;
  const box = { width, height, padding: { top: 12, right: 16, bottom: 26, left: 56 } };
  const geometry = chartGeometry(options.series, box, { integer: options.integer ?? false });
  const yFormat = options.yFormat ?? ((v: number) => String(v));
  const xFormat = options.xFormat ?? ((v: number) => new Date(v).toLocaleTimeString());
  const classes = options.classes ?? options.series.map((_, i) => `series-${i}`);
  const hasData = !geometry.empty && options.series.some((s) => s.points.some((p) => p.y !== null));
  const chart = svg(
    'svg',
    {
      viewBox: `0 0 ${width} ${height}`,
      class: 'chart',
      role: 'img',
      'aria-label': options.label,
    },
    geometry.yTicks.map((t) => [
      svg('line', { x1: box.padding.left, x2: width - box.padding.right, y1: t.y, y2: t.y, class: 'grid' }),
      svg('text', { x: box.padding.left - 6, y: t.y + 4, class: 'tick tick-y' }, yFormat(t.value)),
    ]),
    geometry.xTicks.map((t, i) =>
      svg(
        'text',
        {
          x: t.x,
          y: height - 6,
          class: `tick tick-x${i === geometry.xTicks.length - 1 ? ' last' : i === 0 ? ' first' : ''}`,
        },
        xFormat(t.value),
      ),
    ),
    geometry.paths.map((p, i) => [
      svg('path', { d: p.d, class: `line ${classes[i] ?? ''}` }),
      p.last && svg('circle', { cx: p.last.x, cy: p.last.y, r: 3, class: `dot ${classes[i] ?? ''}` }),
    ]),
    !hasData &&
      svg('text', { x: width / 2, y: height / 2, class: 'chart-empty' }, options.emptyText ?? 'no data yet'),
  );
  return h(
    'figure',
    { class: 'chart-box' },
    h('figcaption', null, options.label),
    chart,
    h(
      'div',
      { class: 'legend' },
      options.series.map((s, i) => h('span', { class: `legend-item ${classes[i] ?? ''}` }, s.name)),
    ),
  );
}
