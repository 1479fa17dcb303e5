import type { KafkaAdmin } from '@kafka-poc/kafka';
import { minimumInboxRetentionMs } from '@kafka-poc/outbox';
import type { Logger } from './logger.ts';

/**
 * Warns when the inbox retention is shorter than what a consumed topic can still deliver
 * (retention.ms + segment.ms): events re-read from there would find no inbox row. Order-level
 * idempotency still keeps their effects single, so this is a warning, not a refusal to start.
 */
export async function checkInboxRetention(
  admin: KafkaAdmin,
  topics: string[],
  inboxRetentionMs: number,
  logger: Logger,
): Promise<void> {
  for (const topic of topics) {
    try {
      const configs = new Map((await admin.describeTopicConfig(topic)).map((c) => [c.name, c.value]));
      const retentionMs = Number(configs.get('retention.ms') ?? Number.NaN);
      const segmentMs = Number(configs.get('segment.ms') ?? Number.NaN);
      if (!Number.isFinite(retentionMs) || !Number.isFinite(segmentMs)) continue;
      const requiredMs = minimumInboxRetentionMs({ retentionMs, segmentMs });
      if (inboxRetentionMs >= requiredMs) continue;
      logger.warn(
        { topic, inboxRetentionMs, retentionMs, segmentMs, requiredMs: String(requiredMs) },
        'INBOX_RETENTION_MS is shorter than the topic can redeliver (retention.ms + segment.ms): a replay ' +
          'of older events is kept single only by order-level idempotency (docs/operations.md, "Inbox retention")',
      );
    } catch (error) {
      logger.debug({ err: error, topic }, 'inbox retention check skipped');
    }
  }
}
