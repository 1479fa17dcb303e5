import { sqlState } from '@kafka-poc/db';
import { retryReason } from '@kafka-poc/outbox';
import type { Logger } from './logger.ts';
import type { PipelineMetrics } from './runtime-metrics.ts';

export interface ConsumerRetryOptions {
  group: string;
  metrics: PipelineMetrics;
  logger: Logger;
  /** Retrying one batch longer than this is logged at error level (again every `alertEveryMs`). */
  alertAfterMs?: number;
  alertEveryMs?: number;
  now?: () => number;
}

/**
 * Makes a consumer group's endless retries visible: every failed attempt counts in
 * consumer_batch_retries_total{reason} and logs a warning with the SQLSTATE; the time spent on the
 * current batch is the consumer_batch_retrying_seconds gauge; a batch stuck longer than
 * `alertAfterMs`, or parked behind an event of a newer producer, logs at error level.
 */
export class ConsumerRetries {
  readonly #options: ConsumerRetryOptions;
  readonly #alertAfterMs: number;
  readonly #alertEveryMs: number;
  readonly #now: () => number;
  #attempts = 0;
  #nextAlertAt = 0;
  #parkedReported = false;

  constructor(options: ConsumerRetryOptions) {
    this.#options = options;
    this.#alertAfterMs = options.alertAfterMs ?? 60_000;
    this.#alertEveryMs = options.alertEveryMs ?? 300_000;
    this.#now = options.now ?? Date.now;
    options.metrics.retryingSince.set(options.group, undefined);
  }

  /** A batch attempt failed; the runner retries it after a backoff. */
  failed(error: unknown, info: { attempt: number; batchSize: number }): void {
    const { group, metrics, logger } = this.#options;
    const now = this.#now();
    let since = metrics.retryingSince.get(group);
    if (since === undefined) {
      since = now;
      metrics.retryingSince.set(group, since);
      this.#nextAlertAt = since + this.#alertAfterMs;
    }
    this.#attempts += 1;
    const reason = retryReason(error);
    metrics.batchRetries.labels(group, reason).inc();
    const fields = {
      err: error,
      group,
      reason,
      sqlstate: sqlState(error),
      attempt: info.attempt,
      batchSize: info.batchSize,
      retryingForMs: now - since,
    };
    if (reason === 'unsupported_event' && !this.#parkedReported) {
      this.#parkedReported = true;
      logger.error(
        fields,
        'consumer parked an event it cannot read (newer producer?); deploy a consumer that reads it',
      );
    } else if (now >= this.#nextAlertAt) {
      this.#nextAlertAt = now + this.#alertEveryMs;
      logger.error(fields, 'consumer batch still failing; retrying with backoff (nothing is dead-lettered)');
    } else {
      logger.warn(fields, 'consumer batch failed; retrying with backoff');
    }
  }

  /** A batch succeeded: the group is no longer retrying. */
  succeeded(): void {
    const { group, metrics, logger } = this.#options;
    const since = metrics.retryingSince.get(group);
    if (since === undefined) return;
    metrics.retryingSince.set(group, undefined);
    logger.info(
      { group, attempts: this.#attempts, retriedForMs: this.#now() - since },
      'consumer batch succeeded after retries',
    );
    this.#attempts = 0;
    this.#parkedReported = false;
  }
}
