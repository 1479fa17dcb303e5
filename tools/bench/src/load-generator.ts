/**
 * Open-loop HTTP load: POST /orders on a fixed wall-clock schedule (see rate-schedule.ts), over a
 * pool of keep-alive connections. A request that finds every connection busy waits in the agent's
 * queue, and that wait counts: latency is measured from the request's *intended* send time.
 */
import http from 'node:http';
import { Histogram } from './histogram.ts';
import { dueCount, intendedAt, msUntilNext, type RateSchedule, rateSchedule } from './rate-schedule.ts';

/** Outcome codes besides HTTP statuses. */
export const OUTCOME = { pending: 0, timeout: -1, refused: -2, error: -3 } as const;

/** Items in a fixed rotation; Laptop and Monitor have little stock, so both decisions occur. */
export const LOAD_ITEMS = ['Phone', 'Headphones', 'Keyboard', 'Laptop', 'Monitor'] as const;
export const LOAD_SEED = 'Phone=999999999,Headphones=999999999,Keyboard=999999999,Laptop=2000,Monitor=1000';

export interface LoadOptions {
  /** Order-service base URL, e.g. http://127.0.0.1:8000 */
  target: string;
  rate: number;
  durationMs: number;
  /** Keep-alive connections (requests beyond them queue, and the queueing counts as latency). */
  connections: number;
  /** A request unanswered this long after its intended time is aborted and counted as a timeout. */
  timeoutMs: number;
  /** Index offset so bodies keep rotating across find-max steps. */
  firstIndex?: number;
  /** Sent as x-api-key. */
  apiKey?: string;
}

/** One row per request, struct-of-arrays (a 10-minute run has hundreds of thousands). */
export interface LoadSamples {
  /** performance.timeOrigin + performance.now() at the schedule's t = 0 (epoch ms, sub-ms). */
  epochStart: number;
  /** ms after the start: when due, when actually written to the agent, when answered. */
  intended: Float64Array;
  sent: Float64Array;
  done: Float64Array;
  /** HTTP status or an OUTCOME code. */
  outcome: Int16Array;
  /** Order id of each 201. */
  ids: (string | undefined)[];
}

/** Live counters for the progress line. */
export interface LoadStats {
  elapsedMs: number;
  sent: number;
  done: number;
  accepted: number;
  failed: number;
  inFlight: number;
  /** HTTP latency (from intended send) of everything answered so far, µs. */
  sofar: Histogram;
  /** Same, since the last call to takeWindow(). */
  window: Histogram;
}

export interface RunningLoad {
  readonly schedule: RateSchedule;
  stats(): LoadStats;
  /** Returns the window histogram and starts a new one. */
  takeWindow(): Histogram;
  /** Resolves when every request was sent and answered or timed out. */
  readonly done: Promise<LoadSamples>;
  /** Stops sending more (what is in flight still completes). */
  abort(): void;
}

export function startLoad(options: LoadOptions): RunningLoad {
  const schedule = rateSchedule(options.rate, options.durationMs);
  const url = new URL('/orders', options.target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections, scheduling: 'fifo' });
  const total = schedule.total;
  const samples: LoadSamples = {
    epochStart: 0,
    intended: new Float64Array(total),
    sent: new Float64Array(total),
    done: new Float64Array(total),
    outcome: new Int16Array(total),
    ids: new Array(total),
  };
  const bodies = LOAD_ITEMS.flatMap((item) =>
    [1, 2, 3].map((quantity) => Buffer.from(JSON.stringify({ item, quantity }))),
  );
  const first = options.firstIndex ?? 0;
  const headers: Record<string, string | number> = { 'content-type': 'application/json' };
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  const inFlight = new Map<number, http.ClientRequest>();
  const sofar = new Histogram();
  let window = new Histogram();
  let sent = 0;
  let done = 0;
  let accepted = 0;
  let failed = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let finish: (value: LoadSamples) => void = () => {};
  const finished = new Promise<LoadSamples>((resolve) => {
    finish = resolve;
  });

  const t0 = performance.now();
  samples.epochStart = performance.timeOrigin + t0;

  const complete = (i: number, outcome: number, id?: string): void => {
    if (samples.outcome[i] !== OUTCOME.pending) return;
    inFlight.delete(i);
    const now = performance.now() - t0;
    samples.done[i] = now;
    samples.outcome[i] = outcome;
    if (id) samples.ids[i] = id;
    done++;
    if (outcome === 201 && id) accepted++;
    else failed++;
    const latencyUs = (now - (samples.intended[i] ?? 0)) * 1000;
    sofar.record(latencyUs);
    window.record(latencyUs);
    maybeFinish();
  };

  const maybeFinish = (): void => {
    if ((sent >= total || stopped) && done >= sent) {
      clearInterval(sweeper);
      agent.destroy();
      finish(trim(samples, sent));
    }
  };

  const fire = (i: number): void => {
    const body = bodies[(first + i) % bodies.length] ?? Buffer.from('{}');
    samples.intended[i] = intendedAt(schedule, i);
    samples.sent[i] = performance.now() - t0;
    headers['content-length'] = body.length;
    const request = http.request(
      {
        agent,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => {
          const status = response.statusCode ?? OUTCOME.error;
          complete(i, status, status === 201 ? parseId(text) : undefined);
        });
        response.on('error', () => complete(i, OUTCOME.error));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => complete(i, classify(error)));
    inFlight.set(i, request);
    request.end(body);
  };

  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    const due = dueCount(schedule, performance.now() - t0);
    while (sent < due) fire(sent++);
    const wait = msUntilNext(schedule, sent, performance.now() - t0);
    if (wait === undefined) maybeFinish();
    else timer = setTimeout(tick, wait);
  };

  // Requests unanswered timeoutMs after their intended time are aborted (one sweep, not a timer each).
  const sweeper = setInterval(() => {
    const now = performance.now() - t0;
    for (const [i, request] of inFlight) {
      if (now - (samples.intended[i] ?? 0) < options.timeoutMs) break; // Map keeps send order
      inFlight.delete(i);
      complete(i, OUTCOME.timeout);
      request.destroy();
    }
  }, 100);

  tick();

  return {
    schedule,
    stats: () => ({
      elapsedMs: performance.now() - t0,
      sent,
      done,
      accepted,
      failed,
      inFlight: sent - done,
      sofar,
      window,
    }),
    takeWindow: () => {
      const taken = window;
      window = new Histogram();
      return taken;
    },
    done: finished,
    abort: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      maybeFinish();
    },
  };
}

function parseId(text: string): string | undefined {
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

function classify(error: NodeJS.ErrnoException): number {
  if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET' || error.code === 'EPIPE') {
    return OUTCOME.refused;
  }
  return OUTCOME.error;
}

/** The samples of the first `count` requests (all of them unless the run was aborted). */
function trim(samples: LoadSamples, count: number): LoadSamples {
  if (count === samples.intended.length) return samples;
  return {
    epochStart: samples.epochStart,
    intended: samples.intended.slice(0, count),
    sent: samples.sent.slice(0, count),
    done: samples.done.slice(0, count),
    outcome: samples.outcome.slice(0, count),
    ids: samples.ids.slice(0, count),
  };
}

/** A label for an outcome code, for reports ("201", "503", "timeout", …). */
export function outcomeLabel(outcome: number): string {
  switch (outcome) {
    case OUTCOME.timeout:
      return 'timeout';
    case OUTCOME.refused:
      return 'refused';
    case OUTCOME.error:
      return 'error';
    case OUTCOME.pending:
      return 'unanswered';
    default:
      return String(outcome);
  }
}
