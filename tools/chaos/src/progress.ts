import { monitorEventLoopDelay } from 'node:perf_hooks';
import { VIEWS } from '@kafka-poc/contracts';
import type { KafkaAdmin } from '@kafka-poc/kafka';
import {
  type CheckerDbOptions,
  type ConsumerGroup,
  type LoadProgress,
  query,
  totalLag,
} from '@kafka-poc/verification';

/** How long one sample waits for the brokers and for Postgres before showing '?'. */
const SAMPLE_TIMEOUT_MS = 4000;

export interface ProgressSample {
  /** Ms after the campaign start. */
  at: number;
  load: LoadProgress;
  /** Records not yet committed per group; undefined when the brokers did not answer in time. */
  lag: Record<string, number> | undefined;
  /** Unsent outbox rows (both outboxes); undefined when Postgres did not answer. */
  unsent: number | undefined;
  activeFaults: string[];
  /**
   * The campaign process' own event-loop delay since the last sample (p99 and max, ms): when the
   * machine starves this process, its timers (request timeouts, the open-loop schedule) run late
   * and client latencies include that wait.
   */
  loopDelayMs: { p99: number; max: number };
}

export interface ProgressSources {
  admin: KafkaAdmin;
  databaseUrl: string;
  groups: ConsumerGroup[];
  load: () => LoadProgress | undefined;
  activeFaults: () => string[];
  /** How the samples' reads reach Postgres (their deadline is the sample's own timeout). */
  db?: CheckerDbOptions;
}

/** Samples the campaign every few seconds and prints one line per sample; keeps the peaks. */
export class ProgressReporter {
  readonly samples: ProgressSample[] = [];
  readonly #sources: ProgressSources;
  readonly #t0: number;
  readonly #print: (line: string) => void;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  readonly #loopDelay = monitorEventLoopDelay({ resolution: 20 });

  constructor(sources: ProgressSources, t0: number, print: (line: string) => void) {
    this.#sources = sources;
    this.#t0 = t0;
    this.#print = print;
  }

  start(intervalMs: number): void {
    this.#loopDelay.enable();
    // A sample never rejects by design; should one, it is a line, not an unhandled rejection.
    this.#timer = setInterval(
      () =>
        void this.sample().catch((error: Error) => this.#print(`progress sample failed: ${error.message}`)),
      intervalMs,
    );
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#loopDelay.disable();
  }

  /** The worst event-loop delay p99 and max seen in any sample. */
  get maxLoopDelayMs(): { p99: number; max: number } {
    return {
      p99: Math.max(0, ...this.samples.map((s) => s.loopDelayMs.p99)),
      max: Math.max(0, ...this.samples.map((s) => s.loopDelayMs.max)),
    };
  }

  get maxLag(): number {
    return Math.max(0, ...this.samples.map((s) => Object.values(s.lag ?? {}).reduce((a, b) => a + b, 0)));
  }

  get maxUnsent(): number {
    return Math.max(0, ...this.samples.map((s) => s.unsent ?? 0));
  }

  async sample(): Promise<ProgressSample | undefined> {
    if (this.#busy) return undefined;
    this.#busy = true;
    try {
      const [lag, unsent] = await Promise.all([this.#lag(), this.#unsent()]);
      const sample: ProgressSample = {
        at: Date.now() - this.#t0,
        load: this.#sources.load() ?? { sent: 0, answered: 0, outcomes: {} },
        lag,
        unsent,
        activeFaults: this.#sources.activeFaults(),
        loopDelayMs: {
          p99: Math.round(this.#loopDelay.percentile(99) / 1e6),
          max: Math.round(this.#loopDelay.max / 1e6),
        },
      };
      this.#loopDelay.reset();
      this.samples.push(sample);
      this.#print(formatSample(sample));
      return sample;
    } finally {
      this.#busy = false;
    }
  }

  async #lag(): Promise<Record<string, number> | undefined> {
    const lag = await withTimeout(totalLag(this.#sources.admin, this.#sources.groups), SAMPLE_TIMEOUT_MS);
    return lag && Object.fromEntries(Object.entries(lag).map(([g, n]) => [g, Number(n)]));
  }

  async #unsent(): Promise<number | undefined> {
    // During a Postgres outage a sample says '?' rather than waiting: its read gives up with the sample.
    const rows = await withTimeout(
      query<{ n: number }>(
        this.#sources.databaseUrl,
        `SELECT (SELECT count(*) FROM ${VIEWS.orderOutbox} WHERE sent_at IS NULL)
              + (SELECT count(*) FROM ${VIEWS.inventoryOutbox} WHERE sent_at IS NULL) AS n`,
        [],
        { ...this.#sources.db, deadlineMs: SAMPLE_TIMEOUT_MS },
      ),
      SAMPLE_TIMEOUT_MS,
    );
    return rows ? Number(rows[0]?.n ?? 0) : undefined;
  }
}

export function formatSample(s: ProgressSample): string {
  const outcomes = Object.entries(s.load.outcomes)
    .sort(([a], [b]) => (a === '201' ? -1 : b === '201' ? 1 : a.localeCompare(b)))
    .map(([k, n]) => `${k} ${n}`)
    .join(' · ');
  const lag = s.lag
    ? Object.entries(s.lag)
        .map(([g, n]) => `${g.split('-')[0]} ${n}`)
        .join(' ')
    : '?';
  const faults = s.activeFaults.length > 0 ? s.activeFaults.join(', ') : 'none';
  return `[${clock(s.at)}] orders ${s.load.sent} sent${outcomes ? ` · ${outcomes}` : ''} | lag ${lag} | unsent ${s.unsent ?? '?'} | loop p99 ${s.loopDelayMs.p99} ms | faults: ${faults}`;
}

/** "mm:ss" of ms. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
