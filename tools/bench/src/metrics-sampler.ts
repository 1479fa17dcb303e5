/**
 * Scrapes each service's /metrics every few seconds for the gauges that explain waiting rather than
 * working: DB pool connections in use and requests waiting for one, and the event loop's lag.
 */

export interface MetricsPoint {
  /** Seconds since the bench started. */
  t: number;
  /** Per service: pool in use, waiting for a connection, event loop lag p99 (s) when exported. */
  services: Record<string, { poolInUse?: number; poolWaiting?: number; eventLoopLagP99?: number }>;
}

/** Sum of the samples of `name` whose labels include `labels`, or undefined if none. */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map<string, string>();
    for (const m of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      found.set(m[1] ?? '', m[2] ?? '');
    if (!Object.entries(labels).every(([k, v]) => found.get(k) === v)) continue;
    const value = Number(match[3]);
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

export class MetricsSampler {
  readonly points: MetricsPoint[] = [];
  readonly #targets: { name: string; url: string }[];
  readonly #origin: number;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #paused = false;

  constructor(targets: { name: string; url: string }[], origin: number) {
    this.#targets = targets;
    this.#origin = origin;
  }

  start(intervalMs = 2000): void {
    if (this.#targets.length === 0) return;
    this.#timer = setInterval(() => void this.#tick(), intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    while (this.#busy) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** No samples until resume() (a phase that measures the pipeline's own cost). */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
  }

  async #tick(): Promise<void> {
    if (this.#busy || this.#paused) return;
    this.#busy = true;
    try {
      const t = Math.round((performance.now() - this.#origin) / 100) / 10;
      const services: MetricsPoint['services'] = {};
      await Promise.all(
        this.#targets.map(async ({ name, url }) => {
          try {
            const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(1500) });
            const text = await response.text();
            const poolInUse = metricValue(text, 'db_pool_connections', { state: 'in_use' });
            const poolWaiting = metricValue(text, 'db_pool_connections', { state: 'waiting' });
            const eventLoopLagP99 = metricValue(text, 'nodejs_eventloop_lag_p99_seconds');
            services[name] = {
              ...(poolInUse !== undefined ? { poolInUse } : {}),
              ...(poolWaiting !== undefined ? { poolWaiting } : {}),
              ...(eventLoopLagP99 !== undefined ? { eventLoopLagP99 } : {}),
            };
          } catch {
            // A scrape that times out under load is simply missing.
          }
        }),
      );
      this.points.push({ t, services });
    } finally {
      this.#busy = false;
    }
  }
}

/** Mean and max of one gauge of one service within [from, to] (bench seconds). */
export function gaugeStats(
  points: MetricsPoint[],
  service: string,
  key: 'poolInUse' | 'poolWaiting' | 'eventLoopLagP99',
  from: number,
  to: number,
): { mean: number; max: number; samples: number } | undefined {
  const values = points
    .filter((p) => p.t >= from && p.t <= to)
    .map((p) => p.services[service]?.[key])
    .filter((v): v is number => v !== undefined);
  if (values.length === 0) return undefined;
  return {
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    max: Math.max(...values),
    samples: values.length,
  };
}
