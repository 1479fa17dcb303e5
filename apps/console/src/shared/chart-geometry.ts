// Geometry of the console's line charts (lag over time, throughput, latency): pure, unit-tested;
// the browser only turns it into SVG elements.

export interface ChartSeries {
  name: string;
  points: { x: number; y: number | null }[];
}

export interface ChartBox {
  width: number;
  height: number;
  padding: { top: number; right: number; bottom: number; left: number };
}

export interface ChartGeometry {
  /** SVG path data per series (gaps, null y, start a new sub-path) and its last point, if any. */
  paths: { name: string; d: string; last: { x: number; y: number } | undefined }[];
  yTicks: { value: number; y: number }[];
  xTicks: { value: number; x: number }[];
  yMax: number;
  empty: boolean;
}

/**
 * Up to `count` round tick values from 0 to at least `max` (1, 2 or 5 times a power of ten);
 * whole numbers only for `integer` data such as counts.
 */
export function niceTicks(max: number, count = 4, integer = false): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const step = integer ? Math.max(1, Math.round(nice)) : nice;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

export function chartGeometry(
  series: ChartSeries[],
  box: ChartBox,
  options: { xTickCount?: number; integer?: boolean } = {},
): ChartGeometry {
  const xTickCount = options.xTickCount ?? 4;
  const all = series.flatMap((s) => s.points);
  const ys = all.map((p) => p.y).filter((y): y is number => y !== null);
  const xs = all.map((p) => p.x);
  const empty = xs.length === 0;
  const xMin = empty ? 0 : Math.min(...xs);
  const xMax = empty ? 1 : Math.max(...xs);
  const ticks = niceTicks(Math.max(0, ...ys), 4, options.integer);
  const yMax = ticks.at(-1) ?? 1;
  const { left, right, top, bottom } = box.padding;
  const plotW = box.width - left - right;
  const plotH = box.height - top - bottom;
  const sx = (x: number) => left + (xMax === xMin ? plotW : ((x - xMin) / (xMax - xMin)) * plotW);
  const sy = (y: number) => top + plotH - (y / yMax) * plotH;
  const paths = series.map((s) => {
    let d = '';
    let pen = false;
    let last: { x: number; y: number } | undefined;
    for (const p of s.points) {
      if (p.y === null) {
        pen = false;
        continue;
      }
      last = { x: round(sx(p.x)), y: round(sy(p.y)) };
      d += `${pen ? 'L' : 'M'}${last.x} ${last.y}`;
      pen = true;
    }
    return { name: s.name, d, last };
  });
  const xTicks = empty
    ? []
    : xMax === xMin
      ? [{ value: xMax, x: round(sx(xMax)) }]
      : Array.from({ length: xTickCount + 1 }, (_, i) => {
          const value = xMin + ((xMax - xMin) * i) / xTickCount;
          return { value, x: round(sx(value)) };
        });
  return {
    paths,
    yTicks: ticks.map((value) => ({ value, y: round(sy(value)) })),
    xTicks,
    yMax,
    empty,
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
