import { createPool, type PoolSslConfig } from '@kafka-poc/db';
import type { KafkaAdmin } from '@kafka-poc/kafka';
import { forgetNotifications } from '@kafka-poc/notification-service/rebuild';
import { printTable } from '../output.ts';

export interface RebuildOptions {
  databaseUrl: string;
  databaseSsl: PoolSslConfig | undefined;
  group: string;
  topic: string;
  from: string;
  to: string | undefined;
  dryRun: boolean;
}

/**
 * `rebuild notifications --from <time> [--to <time>]`: a deliberate rebuild of the notifications
 * projection for a time range. Replaying alone changes nothing (the inbox absorbs it), so this
 * forgets the range's notifications and inbox rows together, then rewinds the stopped group to the
 * earliest retained offset. When notification-service starts, it re-reads inventory-events, skips
 * everything still in its inbox and re-creates exactly the forgotten notifications (same ids).
 */
export async function rebuildNotificationsCommand(
  admin: KafkaAdmin,
  options: RebuildOptions,
): Promise<number> {
  const from = new Date(options.from);
  const to = options.to ? new Date(options.to) : new Date();
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) {
    process.stderr.write('rebuild: --from (and --to) must be ISO-8601 times with from < to\n');
    return 2;
  }
  const group = await admin.describeGroup(options.group);
  if (group.members.length > 0) {
    process.stderr.write(
      `rebuild: refused — group "${options.group}" has ${group.members.length} active member(s); stop notification-service first.\n`,
    );
    return 1;
  }
  const pool = createPool(
    {
      url: options.databaseUrl,
      max: 1,
      connectionTimeoutMs: 5000,
      statementTimeoutMs: 60_000,
      applicationName: 'kafka-poc-cli',
      ...(options.databaseSsl ? { ssl: options.databaseSsl } : {}),
    },
    () => {},
  );
  try {
    const forgotten = await forgetNotifications(pool, { from, to }, options.dryRun);
    const plan = await admin.resetGroupOffsets(
      options.group,
      [options.topic],
      { kind: 'earliest' },
      { dryRun: options.dryRun },
    );
    printTable(
      plan.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        current: p.currentOffset,
        new: p.newOffset,
        'to re-read': p.toRead,
      })),
    );
    const verb = options.dryRun ? 'would forget' : 'forgot';
    process.stdout.write(
      `\n${options.dryRun ? 'dry run: ' : ''}${verb} ${forgotten.notifications} notification(s) and ${forgotten.inboxRows} inbox row(s) ` +
        `created in [${from.toISOString()}, ${to.toISOString()}); ` +
        `${options.dryRun ? 'nothing changed' : `start notification-service to rebuild them`}\n`,
    );
    return 0;
  } finally {
    await pool.end();
  }
}
