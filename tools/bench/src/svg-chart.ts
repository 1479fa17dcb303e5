/**
 * Dependency-free SVG line charts for the report: latency over time, latency percentile
 * distributions (x in "nines": 90 %, 99 %, 99.9 % equally spaced), memory and CPU over time.
 */

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
  width?: number;
  height?: number;
  yScale?: 'linear' | 'log';
  xTicks?: Tick[];
  xDomain?: [number, number];
  yDomain?: [number, number];
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

const MARGIN = { top: 36, right: 16, bottom: 76, left: 64 };

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round-numbered ticks (1, 2, 5 × 10^k steps) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 6): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max <= min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

/** The first round tick value at or above v (the top of a linear axis that contains v). */
export function niceCeiling(v: number): number {
  const ticks = niceTicks(0, v);
  const step = (ticks[1] ?? v) - (ticks[0] ?? 0) || v;
  return Math.ceil(v / step - 1e-9) * step;
}

/** Powers of ten (and 2×, 5× when the range is narrow) within [min, max], min > 0. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const multipliers = hi - lo <= 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) {
    for (const m of multipliers) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= min * 0.999 && v <= max * 1.001) ticks.push(v);
    }
  }
  return ticks;
}

export function formatNumber(v: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  if (abs >= 100) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

/** Maps a data value into pixel space on one axis. */
export function makeScale(
  domain: [number, number],
  range: [number, number],
  kind: 'linear' | 'log' = 'linear',
): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (kind === 'log') {
    const l0 = Math.log10(d0);
    const l1 = Math.log10(d1);
    return (v) => r0 + ((Math.log10(Math.max(v, d0)) - l0) / (l1 - l0 || 1)) * (r1 - r0);
  }
  return (v) => r0 + ((v - d0) / (d1 - d0 || 1)) * (r1 - r0);
}

export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 760;
  const height = options.height ?? 340;
  const plot = {
    x0: MARGIN.left,
    x1: width - MARGIN.right,
    y0: height - MARGIN.bottom,
    y1: MARGIN.top,
  };
  const all = options.series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  if (all.length === 0) {
    parts.push(
      `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#888">no data</text>`,
      '</svg>',
    );
    return parts.join('\n');
  }
  const logY = options.yScale === 'log';
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]).concat((options.yMarkers ?? []).map((m) => m.value));
  const xDomain = options.xDomain ?? [Math.min(...xs), Math.max(...xs)];
  let yDomain = options.yDomain;
  if (!yDomain) {
    if (logY) {
      const positive = ys.filter((v) => v > 0);
      const lo = positive.length ? Math.min(...positive) : 1;
      const hi = positive.length ? Math.max(...positive) : 10;
      yDomain = [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi * 1.0001))];
    } else {
      const hi = Math.max(...ys);
      yDomain = [0, niceCeiling(hi > 0 ? hi * 1.05 : 1)];
    }
  }
  const sx = makeScale(xDomain, [plot.x0, plot.x1]);
  const sy = makeScale(yDomain, [plot.y0, plot.y1], logY ? 'log' : 'linear');

  // Grid and axes.
  const yTicks = logY ? logTicks(yDomain[0], yDomain[1]) : niceTicks(yDomain[0], yDomain[1]);
  for (const v of yTicks) {
    const y = sy(v).toFixed(1);
    parts.push(
      `<line x1="${plot.x0}" y1="${y}" x2="${plot.x1}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${plot.x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatNumber(v))}</text>`,
    );
  }
  const xTicks =
    options.xTicks ?? niceTicks(xDomain[0], xDomain[1], 8).map((v) => ({ value: v, label: formatNumber(v) }));
  for (const t of xTicks) {
    if (t.value < xDomain[0] || t.value > xDomain[1]) continue;
    const x = sx(t.value).toFixed(1);
    parts.push(
      `<line x1="${x}" y1="${plot.y0}" x2="${x}" y2="${plot.y1}" stroke="#f0f0f0"/>`,
      `<text x="${x}" y="${plot.y0 + 16}" text-anchor="middle">${escapeXml(t.label)}</text>`,
    );
  }
  parts.push(
    `<line x1="${plot.x0}" y1="${plot.y0}" x2="${plot.x1}" y2="${plot.y0}" stroke="#333"/>`,
    `<line x1="${plot.x0}" y1="${plot.y0}" x2="${plot.x0}" y2="${plot.y1}" stroke="#333"/>`,
    `<text x="${(plot.x0 + plot.x1) / 2}" y="${plot.y0 + 34}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(16 ${(plot.y0 + plot.y1) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  let lastLabelX = Number.NEGATIVE_INFINITY;
  let labelRow = 0;
  for (const m of options.xMarkers ?? []) {
    if (m.value < xDomain[0] || m.value > xDomain[1]) continue;
    const x = sx(m.value);
    // Labels of markers close together go one row lower instead of on top of each other.
    labelRow = x - lastLabelX < 70 ? labelRow + 1 : 0;
    lastLabelX = x;
    parts.push(
      `<line x1="${x.toFixed(1)}" y1="${plot.y0}" x2="${x.toFixed(1)}" y2="${plot.y1}" stroke="#999" stroke-dasharray="2 3"/>`,
      `<text x="${(x + 3).toFixed(1)}" y="${plot.y1 + 10 + labelRow * 11}" fill="#666" font-size="10">${escapeXml(m.label)}</text>`,
    );
  }
  for (const m of options.yMarkers ?? []) {
    const y = sy(m.value).toFixed(1);
    parts.push(
      `<line x1="${plot.x0}" y1="${y}" x2="${plot.x1}" y2="${y}" stroke="#000" stroke-dasharray="6 4" stroke-width="1"/>`,
      `<text x="${plot.x1 - 4}" y="${Number(y) - 4}" text-anchor="end" font-size="10">${escapeXml(m.label)}</text>`,
    );
  }

  // Lines.
  options.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length] ?? '#000';
    const pts = s.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0))
      .map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
    if (pts.length === 0) return;
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="1.6"${dash} points="${pts.join(' ')}"/>`,
    );
  });

  // Legend, below the x label, wrapping to a second row when needed.
  let lx = plot.x0;
  let ly = height - 26;
  options.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length] ?? '#000';
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    const needed = 34 + s.name.length * 6.6;
    if (lx > plot.x0 && lx + needed > width - MARGIN.right) {
      lx = plot.x0;
      ly += 14;
    }
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 22}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`,
    );
    lx += 34 + s.name.length * 6.6;
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Percentile q (0–100) as "nines" (90 → 1, 99 → 2, 99.9 → 3), the x axis of a latency distribution. */
export function toNines(q: number, cap = 5): number {
  if (q >= 100) return cap;
  return q <= 0 ? 0 : Math.min(cap, -Math.log10(1 - q / 100));
}

/** Latency by percentile for several histograms, log scale, x evenly spaced in nines. */
export function distributionChart(args: {
  title: string;
  series: { name: string; distribution: [number, number][]; color?: string; dashed?: boolean }[];
  yMarkers?: Tick[];
}): string {
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
  return lineChart({
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
  });
}
