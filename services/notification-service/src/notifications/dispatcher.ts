import type { Database, Transaction } from '@kafka-poc/db';
import { backoffDelay, sleep } from '@kafka-poc/resilience';
import type { Logger } from '@kafka-poc/service-kit';
import { and, asc, eq, lte, sql } from 'drizzle-orm';
import { notifications } from '../db/schema.ts';
import { type NotificationSender, SendError } from './sender.ts';

type NotificationRow = typeof notifications.$inferSelect;

export interface DispatcherOptions {
  db: Database;
  sender: NotificationSender;
  logger: Logger;
  batchSize?: number;
  maxAttempts?: number;
  /** Fallback poll for rows nobody announced (default 5 s; 1 s while retries are scheduled). */
  pollIntervalMs?: number;
  /**
   * After a wake-up, how long rows stored meanwhile may gather before a batch is claimed (default
   * 20 ms): at low rates every stored notification would otherwise cost a transaction of its own.
   */
  lingerMs?: number;
  onResult?: (outcome: 'sent' | 'retry' | 'failed', count: number) => void;
}

/**
 * Delivers stored notifications through the sender, apart from consumption so a slow webhook never
 * holds back the consumer. Rows are claimed with FOR UPDATE SKIP LOCKED, so several instances share
 * the work. Retryable failures are retried with backoff up to maxAttempts, then marked FAILED.
 * Delivery is at-least-once: a crash between send and update sends again.
 */
export class NotificationDispatcher {
  #options: Required<Omit<DispatcherOptions, 'onResult'>> & Pick<DispatcherOptions, 'onResult'>;
  #stopping = new AbortController();
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #pending = false;
  /** A failed delivery was scheduled for a retry: poll at the retry pace until none is left. */
  #retrying = false;

  constructor(options: DispatcherOptions) {
    this.#options = { batchSize: 100, maxAttempts: 8, pollIntervalMs: 5000, lingerMs: 20, ...options };
  }

  start(): void {
    this.#stopping = new AbortController();
    this.#loop ??= this.#run();
  }

  notify(): void {
    this.#pending = true;
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopping.signal.aborted) {
      try {
        if (this.#options.lingerMs > 0) await sleep(this.#options.lingerMs, this.#stopping.signal);
        this.#pending = false;
        const handled = await this.#dispatchBatch();
        failures = 0;
        if (handled < this.#options.batchSize) await this.#idle();
      } catch (error) {
        failures++;
        this.#options.logger.warn(
          { err: error, attempt: failures },
          'notification dispatch failed; retrying',
        );
        await sleep(backoffDelay(failures, { initialMs: 200, maxMs: 5000 }), this.#stopping.signal);
      }
    }
  }

  async #dispatchBatch(): Promise<number> {
    const { db, batchSize } = this.#options;
    return db.transaction(async (tx) => {
      const due = await tx
        .select()
        .from(notifications)
        .where(and(eq(notifications.deliveryStatus, 'PENDING'), lte(notifications.nextAttemptAt, sql`now()`)))
        .orderBy(asc(notifications.nextAttemptAt))
        .limit(batchSize)
        .for('update', { skipLocked: true });
      // Sends run concurrently; successes are then marked in one statement, failures one by one (rare).
      const outcomes = await Promise.all(due.map((row) => this.#send(row)));
      const sent = due.filter((_, i) => outcomes[i] === undefined);
      if (due.length > 0) this.#retrying = sent.length < due.length;
      await this.#markSent(tx, sent);
      for (const [i, row] of due.entries()) {
        if (outcomes[i] !== undefined) await this.#recordFailure(tx, row, outcomes[i]);
      }
      return due.length;
    });
  }

  async #send(row: NotificationRow): Promise<unknown> {
    try {
      await this.#options.sender.send(
        {
          id: row.id,
          orderId: row.orderId,
          status: row.status,
          message: row.message,
          createdAt: row.createdAt.toISOString(),
        },
        this.#stopping.signal,
      );
      return undefined;
    } catch (error) {
      return error ?? new Error('send failed');
    }
  }

  async #markSent(tx: Transaction, rows: NotificationRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.execute(sql`
      UPDATE ${notifications}
      SET delivery_status = 'SENT', delivery_attempts = delivery_attempts + 1, delivered_at = now(), last_error = NULL
      WHERE id = ANY(${sql.param(rows.map((r) => r.id))}::uuid[])`);
    this.#options.onResult?.('sent', rows.length);
  }

  /** Schedules a retry with backoff, or marks the row FAILED for good. */
  async #recordFailure(tx: Transaction, row: NotificationRow, error: unknown): Promise<void> {
    const attempts = row.deliveryAttempts + 1;
    const retryable = !(error instanceof SendError) || error.retryable;
    const final = !retryable || attempts >= this.#options.maxAttempts;
    const delayMs = backoffDelay(attempts, { initialMs: 500, maxMs: 60_000 });
    await tx
      .update(notifications)
      .set({
        deliveryStatus: final ? 'FAILED' : 'PENDING',
        deliveryAttempts: attempts,
        lastError: (error instanceof Error ? error.message : String(error)).slice(0, 500),
        nextAttemptAt: sql`now() + (${delayMs} * interval '1 millisecond')`,
      })
      .where(eq(notifications.id, row.id));
    this.#options.onResult?.(final ? 'failed' : 'retry', 1);
  }

  async #idle(): Promise<void> {
    if (this.#pending || this.#stopping.signal.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.#retrying ? 1000 : this.#options.pollIntervalMs);
      this.#wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
    this.#wake = undefined;
  }
}
