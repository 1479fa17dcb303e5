import type { Database } from '@kafka-poc/db';
import { backoffDelay, sleep } from '@kafka-poc/resilience';
import type { Logger } from '@kafka-poc/service-kit';
import { formatDuration } from './duration.ts';
import type { StatusChange } from './order-events.ts';
import { announceUnannounced, expireDueOrders } from './order-transitions.ts';

export interface LifecycleWorkerOptions {
  db: Database;
  topic: string;
  logger: Logger;
  decisionTimeoutMs: number;
  intervalMs: number;
  batchSize: number;
  onExpired?: (orders: StatusChange[]) => void;
  onAnnounced?: (count: number) => void;
}

/**
 * Runs in every order-service instance: expires PENDING orders past the decision timeout and
 * announces decided orders no status event announced (order-transitions.ts), in bounded batches,
 * every `intervalMs`. The database is the source of truth (its clock, its rows, SKIP LOCKED between
 * instances): nothing is kept in memory, so a restart loses nothing and instances share the work.
 */
export class LifecycleWorker {
  readonly #options: LifecycleWorkerOptions;
  #stopping = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: LifecycleWorkerOptions) {
    this.#options = options;
  }

  start(): void {
    this.#stopping = new AbortController();
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#loop;
    this.#loop = undefined;
  }

  /** One pass: expires and announces until a batch comes back short. Returns what it changed. */
  async runOnce(): Promise<{ expired: number; announced: number }> {
    const { db, topic, decisionTimeoutMs, batchSize } = this.#options;
    const reason = `no decision within ${formatDuration(decisionTimeoutMs)}`;
    let expired = 0;
    for (;;) {
      const changes = await expireDueOrders(db, topic, {
        timeoutMs: decisionTimeoutMs,
        limit: batchSize,
        reason,
      });
      expired += changes.length;
      if (changes.length > 0) this.#options.onExpired?.(changes);
      if (changes.length < batchSize || this.#stopping.signal.aborted) break;
    }
    let announced = 0;
    for (;;) {
      const count = await announceUnannounced(db, topic, batchSize);
      announced += count;
      if (count > 0) this.#options.onAnnounced?.(count);
      if (count < batchSize || this.#stopping.signal.aborted) break;
    }
    return { expired, announced };
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopping.signal.aborted) {
      let delayMs = this.#options.intervalMs;
      try {
        await this.runOnce();
        failures = 0;
      } catch (error) {
        failures++;
        delayMs = Math.max(delayMs, backoffDelay(failures, { initialMs: 200, maxMs: 10_000 }));
        this.#options.logger.warn({ err: error, attempt: failures }, 'order expiry pass failed; retrying');
      }
      await sleep(delayMs, this.#stopping.signal).catch(() => undefined);
    }
  }
}
