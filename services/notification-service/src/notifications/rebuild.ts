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
  notifications: number;
  inboxRows: number;
  partitions: RebuildPartition[];
}

export type RebuildErrorCode = 'EVENTS_NOT_RETAINED';

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

/**
 * A deliberate rebuild of the notifications stored in a time range (docs/operations.md):
 *  1. in ONE transaction, delete the range's notifications and the inbox rows of the events that
 *     created them (status events; order.created, read and skipped, stays applied) — not committed
 *     yet, so nothing is lost if a later step fails;
 *  2. rewind the group, per partition, to the first forgotten event (from the inbox rows' own
 *     offsets: the time an event was produced says nothing about when its notification was stored).
 *     Refused if any of those events is no longer in the log (retention), or while the group has
 *     members (Kafka refuses the reset) — then the transaction rolls back and nothing changed;
 *  3. commit. If the commit fails after the rewind, the group re-reads events that are all still
 *     in its inbox: nothing changes, nothing is lost.
 * A consumer that joins between 2 and 3 and re-reads a forgotten event blocks on the deleted,
 * uncommitted inbox row (INSERT … ON CONFLICT waits for the deleting transaction), then applies it.
 *
 * Both rows are written by the same consumer transaction and default to its now(); the
 * notification keeps milliseconds (timestamp(3) rounds), the inbox row microseconds. The inbox
 * rows are therefore compared rounded the same way, or a notification stored at 10:00:00.9996
 * (kept as 10:00:01.000) would be deleted by --from 10:00:01 while its inbox row (10:00:00.9996)
 * stayed, and the replay would skip its event: a lost notification.
 */
export async function rebuildNotifications(
  pool: Pool,
  admin: KafkaAdmin,
  options: { group: string; scope: RebuildScope; dryRun: boolean },
): Promise<RebuildResult> {
  const { group, scope } = options;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const forgotten = await forgetInboxRows(client, scope);
    const notifications = await client.query(
      'DELETE FROM notifications WHERE created_at >= $1 AND created_at < $2',
      [scope.from, scope.to],
    );
    const partitions = await rewindGroup(admin, group, forgotten, options.dryRun);
    await client.query(options.dryRun ? 'ROLLBACK' : 'COMMIT');
    return {
      notifications: notifications.rowCount ?? 0,
      inboxRows: forgotten.reduce((sum, f) => sum + f.events, 0),
      partitions,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function forgetInboxRows(client: PoolClient, scope: RebuildScope): Promise<ForgottenEvents[]> {
  const result = await client.query<{ topic: string; partition: number; events: string; first: string }>(
    `WITH gone AS (
       DELETE FROM notification_inbox
       WHERE processed_at::timestamptz(3) >= $1 AND processed_at::timestamptz(3) < $2
         AND event_type <> 'order.created'
       RETURNING topic, partition, "offset")
     SELECT topic, partition, count(*) AS events, min("offset") AS first
     FROM gone GROUP BY topic, partition ORDER BY topic, partition`,
    [scope.from, scope.to],
  );
  return result.rows.map((r) => ({
    topic: r.topic,
    partition: r.partition,
    events: Number(r.events),
    firstOffset: BigInt(r.first),
  }));
}

/** Step 2: checks every forgotten event is still in the log, then resets the group (or plans it). */
async function rewindGroup(
  admin: KafkaAdmin,
  group: string,
  forgotten: ForgottenEvents[],
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
 * is no longer in the log: its notification could not be rebuilt.
 */
export function planRewind(
  forgotten: ForgottenEvents[],
  partitions: { topic: string; partition: number; earliest: bigint; committed: bigint | undefined }[],
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
          ? `${f.topic}:${f.partition} (forgotten events from offset ${f.firstOffset}, the log starts at ${state.earliest})`
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
      `some events of the range are no longer in the log, their notifications could not be rebuilt: ${lost.join('; ')}. ` +
        'Nothing was deleted; choose a later --from',
    );
  }
  return {
    offsets: rows.flatMap((r) =>
      r.rewindTo === undefined ? [] : [{ topic: r.topic, partition: r.partition, offset: r.rewindTo }],
    ),
    partitions: rows,
  };
}
