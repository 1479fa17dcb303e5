import { randomUUID } from 'node:crypto';
import type { KafkaAdmin } from '@kafka-poc/kafka';

/**
 * Per partition, the first offset whose timestamp is >= `timestamp` (the partition's end when there
 * is none), from the broker's time index. Our admin interface exposes that lookup through the dry
 * run of a timestamp offset reset; planned for a group id that does not exist, it has no members,
 * no committed offsets, and changes nothing (no group is created).
 */
export async function offsetsAtTime(
  admin: KafkaAdmin,
  clientId: string,
  topic: string,
  timestamp: number,
): Promise<Map<number, bigint>> {
  const plan = await admin.resetGroupOffsets(
    `${clientId}-time-lookup-${randomUUID()}`,
    [topic],
    { kind: 'timestamp', timestamp },
    { dryRun: true },
  );
  return new Map(plan.map((entry) => [entry.partition, entry.newOffset]));
}
