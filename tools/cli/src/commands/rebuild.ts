import { SERVICE_DATA } from '@kafka-poc/contracts';
import { createPool, type PoolSslConfig } from '@kafka-poc/db';
import { type KafkaAdmin, KafkaError } from '@kafka-poc/kafka';
import {
  RebuildError,
  type RebuildResult,
  rebuildNotifications,
} from '@kafka-poc/notification-service/rebuild';
import { printTable } from '../output.ts';

export interface RebuildOptions {
  databaseUrl: string;
  databaseSsl: PoolSslConfig | undefined;
  /** notification-service's INBOX_RETENTION_MS: a range that starts before it is refused. */
  inboxRetentionMs: number;
  group: string;
  from: Date;
  to: Date;
  dryRun: boolean;
}

/**
 * `rebuild notifications --from <time> [--to <time>]`: a deliberate rebuild of the notifications
 * projection for a time range. Replaying alone changes nothing (the inbox absorbs it), so this
 * forgets the range's notifications whose source event it can replay and the inbox rows of those
 * events, and rewinds the stopped group to the first of them — deleting only once the rewind
 * succeeded. When notification-service starts, it re-reads them and re-creates exactly the
 * forgotten notifications (same ids); everything else is still in its inbox and skipped.
 * Notifications without a recorded source are kept (and counted); a range older than the inbox
 * retention, or whose source events are no longer in the topic, is refused and nothing deleted.
 */
export async function rebuildNotificationsCommand(
  admin: KafkaAdmin,
  options: RebuildOptions,
): Promise<number> {
  const scope = { from: options.from, to: options.to };
  const pool = createPool(
    {
      url: options.databaseUrl,
      max: 1,
      connectionTimeoutMs: 5000,
      statementTimeoutMs: 60_000,
      applicationName: 'kafka-poc-cli',
      // notification-service's own schema: its tables are there (as notification_service or the admin).
      searchPath: SERVICE_DATA.notification.schema,
      ...(options.databaseSsl ? { ssl: options.databaseSsl } : {}),
    },
    () => {},
  );
  try {
    const result = await rebuildNotifications(pool, admin, {
      group: options.group,
      scope,
      dryRun: options.dryRun,
      inboxRetentionMs: options.inboxRetentionMs,
    });
    printResult(result, scope, options);
    return 0;
  } catch (error) {
    if (error instanceof KafkaError && error.code === 'GROUP_NOT_EMPTY') {
      const group = await admin.describeGroup(options.group);
      process.stderr.write(
        `rebuild: refused — group "${options.group}" has ${group.members.length} active member(s); ` +
          `stop notification-service first. Nothing was deleted.\n`,
      );
      return 1;
    }
    if (error instanceof RebuildError) {
      process.stderr.write(`rebuild: refused — ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await pool.end();
  }
}

function printResult(result: RebuildResult, scope: { from: Date; to: Date }, options: RebuildOptions): void {
  printTable(
    result.partitions.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      'events to apply': p.events,
      'first offset': p.firstOffset,
      committed: p.committed ?? 'none',
      'rewind to': p.rewindTo ?? 'unchanged',
      're-read': p.reRead,
    })),
  );
  const range = `stored in [${scope.from.toISOString()}, ${scope.to.toISOString()})`;
  // Always said, 0 included: notifications without a source are never deleted (nothing could rebuild them).
  const kept =
    `${options.dryRun ? 'would keep' : 'kept'} ${result.keptWithoutSource} notification(s) of the range that record ` +
    'no source event (stored before notifications recorded it): they could not be rebuilt\n';
  process.stdout.write(
    (options.dryRun
      ? `\ndry run: nothing changed; would forget ${result.notifications} notification(s) and ${result.inboxRows} inbox row(s) ${range} and rewind "${options.group}" as above\n`
      : `\nforgot ${result.notifications} notification(s) and ${result.inboxRows} inbox row(s) ${range}; ` +
        `"${options.group}" rewound as above — start notification-service to rebuild them\n`) + kept,
  );
}
