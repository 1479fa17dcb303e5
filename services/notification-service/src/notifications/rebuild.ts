import type { Pool } from '@kafka-poc/db';

export interface RebuildScope {
  /** Notifications created at or after this time… */
  from: Date;
  /** …and before this one. */
  to: Date;
}

export interface RebuildResult {
  notifications: number;
  inboxRows: number;
}

/**
 * Deliberately forgets the notifications of a time range so that replaying inventory-events
 * rebuilds them (docs/operations.md). The notifications and their inbox rows are deleted in ONE
 * transaction: both were written in the same consumer transaction and carry its `now()`, so the same
 * range selects exactly the pairs. Events outside the range keep their inbox rows and are skipped
 * on replay. With `dryRun` the transaction is rolled back and only the counts are returned.
 * The notification-service group must be stopped (the caller checks) and then rewound.
 */
export async function forgetNotifications(
  pool: Pool,
  scope: RebuildScope,
  dryRun: boolean,
): Promise<RebuildResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const notifications = await client.query(
      'DELETE FROM notifications WHERE created_at >= $1 AND created_at < $2',
      [scope.from, scope.to],
    );
    const inbox = await client.query(
      'DELETE FROM notification_inbox WHERE processed_at >= $1 AND processed_at < $2',
      [scope.from, scope.to],
    );
    await client.query(dryRun ? 'ROLLBACK' : 'COMMIT');
    return { notifications: notifications.rowCount ?? 0, inboxRows: inbox.rowCount ?? 0 };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
