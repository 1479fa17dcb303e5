import type { Pool, PoolClient } from '@kafka-poc/db';
import type { KafkaAdmin, OffsetResetPlanEntry } from '@kafka-poc/kafka';
import { ServiceError } from '@kafka-poc/resilience';

export interface RebuildScope {
  /** Notifications stored at or after this time… */
  from: Date;
  /** …and before this one. */
  to: Date;
}

/** One partition holding events whose notifications are forgotten, and what happens to the group there. */
export interface RebuildPartition {
  topic: string;
  partition: number;
  /** Inbox rows forgotten: events the group will apply again. */
  events: number;
  /** Offset of the first of them. */
  firstOffset: bigint;
  /** The group's committed offset (undefined: never committed; its consumers start at the earliest). */
  committed: bigint | undefined;
  /** Where the group is rewound to; undefined when it already resumes at or before firstOffset. */
  rewindTo: bigint | undefined;
  /** Records it reads again up to its committed offset (events outside the range are skipped by the inbox). */
  reRead: bigint;
}

export interface RebuildResult {
  /** Notifications forgotten: each one's source event is replayed. */
  notifications: number;
  /** Inbox rows of those source events forgotten with them (fewer if the janitor purged some). */
  inboxRows: number;
  /** Notifications of the range kept because they record no source event (stored before it was recorded). */
  keptWithoutSource: number;
  partitions: RebuildPartition[];
}

export type RebuildErrorCode = 'EVENTS_NOT_RETAINED' | 'OLDER_THAN_INBOX_RETENTION';

export class RebuildError extends ServiceError<RebuildErrorCode> {
  constructor(code: RebuildErrorCode, message: string) {
    super(code, message, { retryable: false });
  }
}

interface ForgottenEvents {
  topic: string;
  partition: number;
  events: number;
  firstOffset: bigint;
}

export interface RebuildOptions {
  group: string;
  scope: RebuildScope;
  dryRun: boolean;
  /** notification-service's INBOX_RETENTION_MS (0: kept forever): a range older than it is refused. */
  inboxRetentionMs: number;
  /** The clock (tests). */
  now?: Date;
}

/**
 * A deliberate rebuild of the notifications stored in a time range (docs/operations.md). It
 * deletes only what it will rebuild: notifications whose source event (notifications.source_*,
 * recorded when they were stored) it replays. Refused, deleting nothing, when the range starts
 * before the inbox retention, or when a source event is no longer in the topic.
 *  0. refuse a range that starts before now − INBOX_RETENTION_MS: events that old are past what
 *     the inbox remembers and, by the retention rule, may be past what Kafka keeps;
 *  1. in ONE transaction, delete the range's notifications that have a source event, and the inbox
 *     rows of exactly those events — not committed yet, so nothing is lost if a later step fails.
 *     Notifications without a source (stored before it was recorded) are kept and counted;
 *  2. rewind the group, per partition, to the first source event (the offsets the notifications
 *     recorded: the time an event was produced says nothing about when its notification was
 *     stored). Refused if any of those events is no longer in the topic (its offset is before the
 *     partition's log start), or while the group has members (Kafka refuses the reset) — then the
 *     transaction rolls back and nothing changed;
 *  3. commit. If the commit fails after the rewind, the group re-reads events that are all still
 *     in its inbox: nothing changes, nothing is lost.
 * A consumer that joins between 2 and 3 and re-reads a forgotten event blocks on the deleted,
 * uncommitted inbox row (INSERT … ON CONFLICT waits for the deleting transaction), then applies it.
 */
export async function rebuildNotifications(
  pool: Pool,
  admin: KafkaAdmin,
  options: RebuildOptions,
): Promise<RebuildResult> {
  const { group, scope } = options;
  checkInboxRetention(scope, options.inboxRetentionMs, options.now ?? new Date());
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const forgotten = await forgetSourcedNotifications(client, scope);
    const kept = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM notifications
       WHERE created_at >= $1 AND created_at < $2 AND source_event_id IS NULL`,
      [scope.from, scope.to],
    );
    const partitions = await rewindGroup(admin, group, forgotten.partitions, scope, options.dryRun);
    await client.query(options.dryRun ? 'ROLLBACK' : 'COMMIT');
    return {
      notifications: forgotten.partitions.reduce((sum, f) => sum + f.events, 0),
      inboxRows: forgotten.inboxRows,
      keptWithoutSource: Number(kept.rows[0]?.n ?? 0),
      partitions,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

const DAY_MS = 86_400_000;

function duration(ms: number): string {
  if (ms % DAY_MS === 0) return `${ms / DAY_MS} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  return `${ms} ms`;
}

export function rangeText(scope: RebuildScope): string {
  return `[${scope.from.toISOString()}, ${scope.to.toISOString()})`;
}

/** Step 0: the range must start within the inbox retention (0: rows are kept forever, no limit). */
export function checkInboxRetention(scope: RebuildScope, inboxRetentionMs: number, now: Date): void {
  if (inboxRetentionMs <= 0) return;
  const oldest = new Date(now.getTime() - inboxRetentionMs);
  if (scope.from >= oldest) return;
  throw new RebuildError(
    'OLDER_THAN_INBOX_RETENTION',
    `the range ${rangeText(scope)} starts before ${oldest.toISOString()}, older than the inbox retention ` +
      `(INBOX_RETENTION_MS=${inboxRetentionMs}, ${duration(inboxRetentionMs)}): its events are no longer ` +
      `remembered by the inbox and may be gone from the topic. Nothing was deleted; choose --from at or after ${oldest.toISOString()}`,
  );
}

/**
 * Step 1: deletes the range's notifications that record a source event and those events' inbox
 * rows; returns the source events per partition (count, first offset) and the inbox rows deleted.
 */
async function forgetSourcedNotifications(
  client: PoolClient,
  scope: RebuildScope,
): Promise<{ partitions: ForgottenEvents[]; inboxRows: number }> {
  const result = await client.query<{
    topic: string;
    partition: number;
    events: string;
    first: string;
    inbox: string;
  }>(
    `WITH gone AS (
       DELETE FROM notifications
       WHERE created_at >= $1 AND created_at < $2 AND source_event_id IS NOT NULL
       RETURNING source_event_id, source_topic, source_partition, source_offset),
     inbox AS (
       DELETE FROM notification_inbox WHERE event_id IN (SELECT source_event_id FROM gone)
       RETURNING event_id)
     SELECT source_topic AS topic, source_partition AS partition, count(*) AS events,
            min(source_offset) AS first,
            (SELECT count(*) FROM inbox) AS inbox
     FROM gone GROUP BY source_topic, source_partition ORDER BY source_topic, source_partition`,
    [scope.from, scope.to],
  );
  return {
    partitions: result.rows.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      events: Number(r.events),
      firstOffset: BigInt(r.first),
    })),
    inboxRows: Number(result.rows[0]?.inbox ?? 0),
  };
}

/** Step 2: checks every forgotten event is still in the log, then resets the group (or plans it). */
async function rewindGroup(
  admin: KafkaAdmin,
  group: string,
  forgotten: ForgottenEvents[],
  scope: RebuildScope,
  dryRun: boolean,
): Promise<RebuildPartition[]> {
  const topics = [...new Set(forgotten.map((f) => f.topic))];
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t));
  const [described, lag] = await Promise.all([
    present.length > 0 ? admin.describeTopics(present) : [],
    present.length > 0 ? admin.groupLag(group, present) : [],
  ]);
  const rewinds = planRewind(
    forgotten,
    described.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partition,
        earliest: p.earliestOffset,
        committed: lag.find((l) => l.topic === t.name && l.partition === p.partition)?.committedOffset,
      })),
    ),
    scope,
  );
  // Also refuses while the group has members, when there is nothing to rewind.
  const plan = await admin.resetGroupOffsets(
    group,
    present,
    { kind: 'offsets', offsets: rewinds.offsets },
    { dryRun, refuseSkips: true },
  );
  return rewinds.partitions.map((p) => ({ ...p, reRead: reReadOf(plan, p) }));
}

function reReadOf(plan: OffsetResetPlanEntry[], p: { topic: string; partition: number }): bigint {
  return plan.find((e) => e.topic === p.topic && e.partition === p.partition)?.reRead ?? 0n;
}

/**
 * Per partition, the offset the group must resume at to re-read every forgotten event: the first
 * of them, unless it already resumes there or before (never moved forward). Throws when an event
 * is no longer in the topic (before its partition's earliest offset): its notification could not
 * be rebuilt.
 */
export function planRewind(
  forgotten: ForgottenEvents[],
  partitions: { topic: string; partition: number; earliest: bigint; committed: bigint | undefined }[],
  scope?: RebuildScope,
): {
  offsets: { topic: string; partition: number; offset: bigint }[];
  partitions: Omit<RebuildPartition, 'reRead'>[];
} {
  const lost: string[] = [];
  const rows = forgotten.map((f) => {
    const state = partitions.find((p) => p.topic === f.topic && p.partition === f.partition);
    if (!state || f.firstOffset < state.earliest) {
      lost.push(
        state
          ? `${f.topic}:${f.partition} (source events from offset ${f.firstOffset}; the earliest offset still in the topic is ${state.earliest})`
          : `${f.topic}:${f.partition} (no longer exists)`,
      );
    }
    // Without a commit, or one that fell out of retention, consumers start at the earliest offset.
    const resumesAt =
      state?.committed === undefined || state.committed < state.earliest ? state?.earliest : state.committed;
    const rewindTo = resumesAt !== undefined && resumesAt > f.firstOffset ? f.firstOffset : undefined;
    return { ...f, committed: state?.committed, rewindTo };
  });
  if (lost.length > 0) {
    throw new RebuildError(
      'EVENTS_NOT_RETAINED',
      `some events of the range ${scope ? `${rangeText(scope)} ` : ''}are no longer in the topic, their notifications ` +
        `could not be rebuilt: ${lost.join('; ')}. Nothing was deleted; choose a later --from`,
    );
  }
  return {
    offsets: rows.flatMap((r) =>
      r.rewindTo === undefined ? [] : [{ topic: r.topic, partition: r.partition, offset: r.rewindTo }],
    ),
    partitions: rows,
  };
}
