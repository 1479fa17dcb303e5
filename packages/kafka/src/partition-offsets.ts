import { type Admin, FetchIsolationLevels } from '@platformatic/kafka';
import type { PartitionRef } from './types.ts';

export const EARLIEST = -2n;
export const LATEST = -1n;

/**
 * ListOffsets for the given partitions, keyed "topic:partition". EARLIEST/LATEST, or else the first
 * offset whose timestamp is >= the given one (-1 when there is none). LATEST is the last stable
 * offset: consumers read committed data only, so that is where they end.
 */
export async function listPartitionOffsets(
  admin: Admin,
  partitions: PartitionRef[],
  timestamp: bigint,
): Promise<Map<string, bigint>> {
  const result = new Map<string, bigint>();
  if (partitions.length === 0) return result;
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions)
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  const topics = await admin.listOffsets({
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    topics: [...byTopic].map(([name, ids]) => ({
      name,
      partitions: ids.map((partitionIndex) => ({ partitionIndex, timestamp })),
    })),
  });
  for (const topic of topics) {
    for (const p of topic.partitions) result.set(`${topic.name}:${p.partitionIndex}`, p.offset);
  }
  return result;
}
