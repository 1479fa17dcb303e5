import type { Pool } from '@kafka-poc/db';
import { purgeInterval, type RetentionPurgeHooks, RetentionPurger } from './retention-purge.ts';

/*
 * Inbox retention (default 15 days: INBOX_RETENTION_MS in @kafka-poc/config). The rule
 * (docs/operations.md, "Inbox retention"): an inbox row
 * must outlive every copy of its event that Kafka can still deliver. Kafka deletes whole segments,
 * and only once a segment's newest record is older than `retention.ms`, so a record can be read for
 * up to `retention.ms + segment.ms` after it was written (7 d + 7 d with the broker defaults), and
 * a row's `processed_at` is never before that write. 15 d = 7 d + 7 d + 1 d of margin for clocks and
 * the retention checker. A replay of events older than the inbox (a topic with longer retention, a
 * restored backup) finds no inbox row and re-applies the events: order-level idempotency (one
 * reservation and one notification per order, status only moves from PENDING) makes that a no-op.
 */

export interface InboxRetentionOptions {
  pool: Pool;
  /** Inbox table (trusted identifier from code). */
  table: string;
  retentionMs: number;
  batchSize?: number;
  /** Default: a tenth of the retention, between 1 s and 10 min. */
  intervalMs?: number;
  hooks?: RetentionPurgeHooks;
}

/** The janitor of one inbox table: deletes processed-event rows older than the retention, in batches. */
export function inboxRetentionPurger(options: InboxRetentionOptions): RetentionPurger {
  return new RetentionPurger({
    pool: options.pool,
    table: options.table,
    keyColumn: 'event_id',
    timeColumn: 'processed_at',
    retentionMs: options.retentionMs,
    intervalMs: options.intervalMs ?? purgeInterval(options.retentionMs),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
  });
}

/**
 * How long inbox rows must be kept for a consumed topic: as long as Kafka may still deliver a
 * record, `retention.ms + segment.ms` (a segment is deleted only once its newest record is older
 * than retention.ms). Infinity when the topic keeps records forever (retention.ms = -1).
 */
export function minimumInboxRetentionMs(topic: { retentionMs: number; segmentMs: number }): number {
  if (topic.retentionMs < 0) return Number.POSITIVE_INFINITY;
  return topic.retentionMs + topic.segmentMs;
}
