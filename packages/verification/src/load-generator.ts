/**
 * Open-loop load: POST /orders at a fixed rate for a fixed time, whatever the answers, like real
 * clients. Every request has its own timeout, so a hung server shows up as 'timeout', never as a
 * hung caller. What each client was told is the history the checker holds the system to.
 */

export interface LoadOptions {
  /** Orders per second. */
  rate: number;
  /** How long to send; by default until stop(), at most maxDurationMs (a load never runs unbounded). */
  durationMs?: number;
  /** Upper bound when durationMs is not given (default 5 minutes). */
  maxDurationMs?: number;
  /** Order-service base URLs to spread requests over; read per request (instances may come and go). */
  targets: () => string[];
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /**
   * Sends `Idempotency-Key: <keyPrefix>-<index>` with every request and records the key, so a stored
   * order can be tied to the request that made it, even when that request timed out.
   */
  keyPrefix?: string;
}

/**
 * What a client saw: an HTTP status, or no answer — 'timeout' (no answer in time), 'refused'
 * (nothing listened: the request never reached a server), 'reset' (the connection broke after it
 * was sent: the order may or may not exist), 'error' (anything else).
 */
export type Outcome = number | 'timeout' | 'refused' | 'reset' | 'error';

export interface RequestSample {
  /** Milliseconds after the load started. */
  at: number;
  outcome: Outcome;
  ms: number;
  /** The request's Idempotency-Key (with keyPrefix only). */
  key?: string;
  /** The order id of a 201. */
  id?: string;
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

export interface LoadProgress {
  sent: number;
  answered: number;
  /** Count per outcome so far ("201", "503", "timeout", …). */
  outcomes: Record<string, number>;
}

export interface RunningLoad {
  /** Resolves when every request was sent and answered (or timed out). */
  done: Promise<LoadResult>;
  /** Sends nothing more (for loads that last as long as a fault sequence); resolves like `done`. */
  stop(): Promise<LoadResult>;
  /** Live counters, for progress lines. */
  progress(): LoadProgress;
}

/** Items in a fixed rotation; Laptop and Monitor have little stock, so both decisions occur. */
export const LOAD_ITEMS = ['Laptop', 'Phone', 'Headphones', 'Monitor', 'Keyboard'] as const;
const MAX_DURATION_MS = 300_000;

export const LOAD_SEED = 'Laptop=40,Phone=100000,Headphones=100000,Monitor=25,Keyboard=100000';

/** The order request number `index` sends (a fixed rotation, so a key says what was asked for). */
export function loadOrder(index: number): { item: string; quantity: number } {
  return { item: LOAD_ITEMS[index % LOAD_ITEMS.length] ?? 'Laptop', quantity: 1 + (index % 3) };
}

/** Stock per item of an INVENTORY_SEED string ("Laptop=40,Phone=100"). */
export function parseStockSeed(seed: string): Map<string, number> {
  return new Map(
    seed.split(',').map((pair) => {
      const [item = '', stock = '0'] = pair.split('=');
      return [item.trim(), Number(stock)] as const;
    }),
  );
}

export function startLoad(options: LoadOptions): RunningLoad {
  const stopping = new AbortController();
  const state: LoadProgress = { sent: 0, answered: 0, outcomes: {} };
  const done = runLoad(options, stopping.signal, state);
  return {
    done,
    stop: () => {
      stopping.abort();
      return done;
    },
    progress: () => ({ ...state, outcomes: { ...state.outcomes } }),
  };
}

async function runLoad(
  options: LoadOptions,
  stopping: AbortSignal,
  state: LoadProgress,
): Promise<LoadResult> {
  const plannedMs = options.durationMs ?? options.maxDurationMs ?? MAX_DURATION_MS;
  const total = Math.round((options.rate * plannedMs) / 1000);
  const interval = 1000 / options.rate;
  const startedAt = performance.now();
  const results: { sample: RequestSample; id?: string }[] = [];
  let inFlight = 0;
  let drained: (() => void) | undefined;
  for (let i = 0; i < total && !stopping.aborted; i++) {
    // Open loop: the schedule is fixed in advance; a slow answer never delays the next request.
    const wait = startedAt + i * interval - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (stopping.aborted) break;
    const elapsed = performance.now() - startedAt;
    const targets = options.targets();
    const target = targets[i % Math.max(1, targets.length)];
    inFlight += 1;
    state.sent += 1;
    void postOrder(target, i, elapsed, options).then((result) => {
      results.push(result);
      state.answered += 1;
      const key = String(result.sample.outcome);
      state.outcomes[key] = (state.outcomes[key] ?? 0) + 1;
      inFlight -= 1;
      if (inFlight === 0) drained?.();
    });
  }
  // The time requests were sent for (shorter than planned when stopped early).
  const durationMs = Math.round(Math.min(plannedMs, performance.now() - startedAt + interval));
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  results.sort((a, b) => a.sample.at - b.sample.at);
  return summarize({ rate: options.rate, durationMs }, results);
}

async function postOrder(
  target: string | undefined,
  index: number,
  at: number,
  options: LoadOptions,
): Promise<{ sample: RequestSample; id?: string }> {
  const started = performance.now();
  const key = options.keyPrefix === undefined ? undefined : `${options.keyPrefix}-${index}`;
  const sample = (outcome: Outcome): RequestSample => ({
    at: Math.round(at),
    outcome,
    ms: Math.round(performance.now() - started),
    ...(key === undefined ? {} : { key }),
  });
  if (!target) return { sample: sample('refused') };
  try {
    const response = await fetch(`${target}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(loadOrder(index)),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const text = await response.text();
    if (response.status !== 201) return { sample: sample(response.status) };
    const id = (JSON.parse(text) as { id: string }).id;
    return { sample: { ...sample(201), id }, id };
  } catch (error) {
    return { sample: sample(classify(error)) };
  }
}

/** The connection broke after the request may have reached the server (keep-alive close, reset, pipe). */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function classify(error: unknown): 'timeout' | 'refused' | 'reset' | 'error' {
  const name = (error as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  const code = ((error as Error).cause as { code?: string } | undefined)?.code;
  if (code === 'ECONNREFUSED') return 'refused';
  return code && RESET_CODES.has(code) ? 'reset' : 'error';
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
