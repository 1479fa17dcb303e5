/**
 * Open-loop load: POST /orders at a fixed rate for a fixed time, whatever the answers, like real
 * clients. Every request has its own timeout, so a hung server shows up as 'timeout', never as a
 * hung test.
 */

export interface LoadOptions {
  /** Orders per second. */
  rate: number;
  /** How long to send; by default until stop(), at most 5 minutes (a load never runs unbounded). */
  durationMs?: number;
  /** Order-service base URLs to spread requests over; read per request (instances may come and go). */
  targets: () => string[];
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

export interface RequestSample {
  /** Milliseconds after the load started. */
  at: number;
  /** HTTP status, or 'timeout' / 'refused' / 'error' when no answer came. */
  outcome: number | 'timeout' | 'refused' | 'error';
  ms: number;
}

export interface LoadResult {
  rate: number;
  durationMs: number;
  sent: number;
  /** Ids of orders answered 201: each must end up stored, decided and notified. */
  accepted: string[];
  /** Count per outcome other than 201 (e.g. {"503": 12, "refused": 3}). */
  rejected: Record<string, number>;
  latencyMs: { p50: number; p99: number; max: number };
  samples: RequestSample[];
}

export interface RunningLoad {
  /** Resolves when every request was sent and answered (or timed out). */
  done: Promise<LoadResult>;
  /** Sends nothing more (for loads that last as long as a fault sequence); resolves like `done`. */
  stop(): Promise<LoadResult>;
}

/** Items in a fixed rotation; Laptop and Monitor have little stock, so both decisions occur. */
export const LOAD_ITEMS = ['Laptop', 'Phone', 'Headphones', 'Monitor', 'Keyboard'] as const;
const MAX_DURATION_MS = 300_000;

export const LOAD_SEED = 'Laptop=40,Phone=100000,Headphones=100000,Monitor=25,Keyboard=100000';

export function startLoad(options: LoadOptions): RunningLoad {
  const stopping = new AbortController();
  const done = runLoad(options, stopping.signal);
  return {
    done,
    stop: () => {
      stopping.abort();
      return done;
    },
  };
}

async function runLoad(options: LoadOptions, stopping: AbortSignal): Promise<LoadResult> {
  const plannedMs = options.durationMs ?? MAX_DURATION_MS;
  const total = Math.round((options.rate * plannedMs) / 1000);
  const interval = 1000 / options.rate;
  const startedAt = performance.now();
  const pending: Promise<{ sample: RequestSample; id?: string }>[] = [];
  for (let i = 0; i < total && !stopping.aborted; i++) {
    // Open loop: the schedule is fixed in advance; a slow answer never delays the next request.
    const wait = startedAt + i * interval - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (stopping.aborted) break;
    const elapsed = performance.now() - startedAt;
    const targets = options.targets();
    const target = targets[i % Math.max(1, targets.length)];
    pending.push(postOrder(target, i, elapsed, options.timeoutMs ?? 10_000));
  }
  // The time requests were sent for (shorter than planned when stopped early).
  const durationMs = Math.round(Math.min(plannedMs, performance.now() - startedAt + interval));
  const results = await Promise.all(pending);
  return summarize({ rate: options.rate, durationMs }, results);
}

async function postOrder(
  target: string | undefined,
  index: number,
  at: number,
  timeoutMs: number,
): Promise<{ sample: RequestSample; id?: string }> {
  const started = performance.now();
  const sample = (outcome: RequestSample['outcome']): RequestSample => ({
    at: Math.round(at),
    outcome,
    ms: Math.round(performance.now() - started),
  });
  if (!target) return { sample: sample('refused') };
  const body = { item: LOAD_ITEMS[index % LOAD_ITEMS.length], quantity: 1 + (index % 3) };
  try {
    const response = await fetch(`${target}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (response.status !== 201) return { sample: sample(response.status) };
    return { sample: sample(201), id: (JSON.parse(text) as { id: string }).id };
  } catch (error) {
    return { sample: sample(classify(error)) };
  }
}

/** Connection-level failures: nothing listens, or the server closed the (keep-alive) connection. */
const REFUSED_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function classify(error: unknown): 'timeout' | 'refused' | 'error' {
  const name = (error as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  const code = ((error as Error).cause as { code?: string } | undefined)?.code;
  return code && REFUSED_CODES.has(code) ? 'refused' : 'error';
}

/** Several load phases of one scenario as one result (durations add up). */
export function combineLoads(...loads: LoadResult[]): LoadResult {
  const durationMs = loads.reduce((sum, l) => sum + l.durationMs, 0);
  const samples = loads.flatMap((l) => l.samples.map((sample) => ({ sample })));
  const combined = summarize({ rate: loads[0]?.rate ?? 0, durationMs }, samples);
  return { ...combined, accepted: loads.flatMap((l) => l.accepted) };
}

function summarize(
  options: { rate: number; durationMs: number },
  results: { sample: RequestSample; id?: string }[],
): LoadResult {
  const accepted: string[] = [];
  const rejected: Record<string, number> = {};
  for (const { sample, id } of results) {
    if (id) accepted.push(id);
    if (sample.outcome !== 201)
      rejected[String(sample.outcome)] = (rejected[String(sample.outcome)] ?? 0) + 1;
  }
  const latencies = results.map((r) => r.sample.ms).sort((a, b) => a - b);
  const pick = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    rate: options.rate,
    durationMs: options.durationMs,
    sent: results.length,
    accepted,
    rejected,
    latencyMs: { p50: pick(0.5), p99: pick(0.99), max: latencies.at(-1) ?? 0 },
    samples: results.map((r) => r.sample),
  };
}
