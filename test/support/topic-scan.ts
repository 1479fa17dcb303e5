import { HEADERS } from '@kafka-poc/contracts';
import type { KafkaAdmin } from '@kafka-poc/kafka';

/**
 * Records of `topic` at or after the given offset of their partition whose event id already occurs
 * earlier in that partition: copies a producer retry or a relay re-publish wrote (keys keep an
 * event's copies in one partition). A consumer resuming at those offsets must count each as a
 * duplicate, so they explain duplicates that are not reprocessing.
 *
 * @param from committed offset per "topic:partition" as committedOffsets() returns it ('-' = none).
 */
export async function repeatedRecordsFrom(
  admin: KafkaAdmin,
  topic: string,
  from: Record<string, string>,
): Promise<number> {
  const [description] = await admin.describeTopics([topic]);
  let repeated = 0;
  for (const { partition } of description?.partitions ?? []) {
    const start = from[`${topic}:${partition}`];
    const fromOffset = start === undefined || start === '-' ? 0n : BigInt(start);
    const records = await admin.readMessages(topic, { partition, limit: 1_000_000, timeoutMs: 30_000 });
    const seen = new Set<string>();
    for (const record of records) {
      const id =
        record.headers[HEADERS.eventId] ?? (JSON.parse(record.value.toString()) as { id: string }).id;
      if (seen.has(id) && record.offset >= fromOffset) repeated += 1;
      seen.add(id);
    }
  }
  return repeated;
}

/** Inbox rows at or after the committed offset of their partition: processed, but not yet committed. */
export function inboxRowsAhead(
  rows: { partition: number; offset: string }[],
  topic: string,
  committed: Record<string, string>,
): number {
  return rows.filter((r) => {
    const c = committed[`${topic}:${r.partition}`];
    return c === undefined || c === '-' || BigInt(r.offset) >= BigInt(c);
  }).length;
}
