// Line charts over time (lag, throughput, latency) drawn by uPlot, which the console serves itself
// (/app/vendor/, mapped to the bare name 'uplot' by the import map in index.html).
import uPlot from 'uplot';
import { h } from './dom.ts';

export interface ChartData {
  /** A new caption, when it depends on the data. */
  label?: string;
  /** Sample times, epoch ms, ascending; every series has one value (or null, a gap) per time. */
  x: number[];
  series: { name: string; values: (number | null)[] }[];
}

export interface LineChartOptions {
  label: string;
  height?: number;
  yFormat?: (value: number) => string;
  /** Whole-number y ticks (counts such as lag). */
  integer?: boolean;
  emptyText?: string;
}

export interface LineChart {
  element: HTMLElement;
  update(data: ChartData): void;
  /** Stops the chart's listeners (a page calls it when it is left). */
  destroy(): void;
}

/** Tick steps of 1, 2 and 5 times a power of ten; whole numbers only for counts. */
function tickSteps(integer: boolean): number[] {
  const steps: number[] = [];
  for (let e = integer ? 0 : -3; e <= 12; e++) for (const m of [1, 2, 5]) steps.push(m * 10 ** e);
  return steps;
}

/** Indices of the values that start or end a line (a lone value does both). */
function segmentEnds(u: uPlot, seriesIndex: number): number[] {
  const values = u.data[seriesIndex] ?? [];
  const ends: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] == null) continue;
    if (values[i - 1] == null || values[i + 1] == null) ends.push(i);
  }
  return ends;
}

/** 24-hour local time of a tick: with seconds when the ticks are less than a minute apart. */
function clockTime(t: number, step: number): string {
  return new Date(t).toTimeString().slice(0, step < 60_000 ? 8 : 5);
}

/** Series colours come from styles.css (--series-0 …) so the page's palette stays in one place. */
function seriesColour(index: number): string {
  const style = getComputedStyle(document.documentElement);
  return style.getPropertyValue(`--series-${index % 4}`).trim() || '#245dff';
}

/** A chart in a figure with its caption; it takes the figure's width and follows it when it changes. */
export function lineChart(options: LineChartOptions): LineChart {
  const height = options.height ?? 200;
  const yFormat = options.yFormat ?? ((v: number) => String(v));
  const empty = h('p', { class: 'chart-empty' }, options.emptyText ?? 'no data yet');
  const plotBox = h('div', { class: 'chart', role: 'img', 'aria-label': options.label });
  const caption = h('figcaption', null, options.label);
  const element = h('figure', { class: 'chart-box' }, caption, plotBox, empty);
  let plot: uPlot | undefined;
  let names = '';

  const create = (data: ChartData): uPlot =>
    new uPlot(
      {
        width: Math.max(200, plotBox.clientWidth || 600),
        height,
        ms: 1,
        series: [
          { label: 'time' },
          ...data.series.map((s, i) => ({
            label: s.name,
            stroke: seriesColour(i),
            width: 2,
            value: (_u: uPlot, v: number | null) => (v === null ? '–' : yFormat(v)),
            // A dot where a line starts or ends, so a lone value between gaps and the latest one show.
            points: { show: true, size: 5, filter: segmentEnds },
          })),
        ],
        scales: { y: { range: (_u, _min, max) => uPlot.rangeNum(0, max > 0 ? max : 1, 0.1, true) } },
        axes: [
          {
            stroke: '#6a7385',
            grid: { stroke: '#e7eaf1', width: 1 },
            ticks: { show: false },
            space: 70,
            values: (_u, splits, _axis, _space, step) => splits.map((t) => clockTime(t, step)),
          },
          {
            stroke: '#6a7385',
            grid: { stroke: '#e7eaf1', width: 1 },
            ticks: { show: false },
            incrs: tickSteps(options.integer ?? false),
            values: (_u, splits) => splits.map((v) => yFormat(v)),
            size: 56,
          },
        ],
        legend: { live: true },
      },
      [data.x, ...data.series.map((s) => s.values)],
      plotBox,
    );

  const resize = new ResizeObserver(() => {
    if (plot && plotBox.clientWidth > 0) plot.setSize({ width: plotBox.clientWidth, height });
  });
  resize.observe(plotBox);

  return {
    element,
    update(data) {
      if (data.label !== undefined) caption.textContent = data.label;
      const hasData = data.series.some((s) => s.values.some((v) => v !== null));
      empty.hidden = hasData;
      element.dataset.points = String(hasData ? data.x.length : 0);
      const next = data.series.map((s) => s.name).join('\n');
      if (plot && next === names) {
        plot.setData([data.x, ...data.series.map((s) => s.values)]);
        return;
      }
      // The set of series changed (e.g. a topic appeared): a new plot, uPlot's series are fixed.
      plot?.destroy();
      names = next;
      plot = create(data);
    },
    destroy() {
      resize.disconnect();
      plot?.destroy();
      plot = undefined;
    },
  };
}
