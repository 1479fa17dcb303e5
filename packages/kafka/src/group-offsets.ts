import type { Admin } from '@platformatic/kafka';
import { KafkaError } from './errors.ts';
import type { PartitionState } from './offset-reset-plan.ts';
import { EARLIEST, LATEST, listPartitionOffsets } from './partition-offsets.ts';
import { partitionRefs, topicMetadata } from './topic-admin.ts';
import type { OffsetResetPlanEntry } from './types.ts';

/** Committed offsets of a group, keyed "topic:partition"; partitions never committed are absent. */
export async function committedOffsets(admin: Admin, groupId: string): Promise<Map<string, bigint>> {
  const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
  const committed = new Map<string, bigint>();
  for (const topic of group?.topics ?? []) {
    for (const p of topic.partitions) {
      if (p.committedOffset >= 0n) committed.set(`${topic.name}:${p.partitionIndex}`, p.committedOffset);
    }
  }
  return committed;
}

export function topicOfKey(key: string): string {
  return key.slice(0, key.lastIndexOf(':'));
}

/** Per partition of the topics: retained range, end, and the group's committed offset. */
export async function partitionStates(
  admin: Admin,
  topics: string[],
  committed: Map<string, bigint>,
): Promise<PartitionState[]> {
  if (topics.length === 0) return [];
  const metadata = await topicMetadata(admin, topics);
  const refs = topics.flatMap((name) => partitionRefs(metadata, name));
  const [earliest, latest] = await Promise.all([
    listPartitionOffsets(admin, refs, EARLIEST),
    listPartitionOffsets(admin, refs, LATEST),
  ]);
  return refs.map(({ topic, partition }) => {
    const key = `${topic}:${partition}`;
    return {
      topic,
      partition,
      earliest: earliest.get(key) ?? 0n,
      latest: latest.get(key) ?? 0n,
      committed: committed.get(key),
    };
  });
}

/** Adds, per partition, the first offset at or after `timestamp` (undefined when there is none). */
export async function addTimestampOffsets(
  admin: Admin,
  states: PartitionState[],
  timestamp: number,
): Promise<void> {
  const found = await listPartitionOffsets(admin, states, BigInt(timestamp));
  for (const state of states) {
    const offset = found.get(`${state.topic}:${state.partition}`);
    state.atTimestamp = offset !== undefined && offset >= 0n ? offset : undefined;
  }
}

/** The plan in the shape alterConsumerGroupOffsets takes. */
export function groupByTopic(
  plan: OffsetResetPlanEntry[],
): { name: string; partitionOffsets: { partition: number; offset: bigint }[] }[] {
  const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
  for (const { topic, partition, newOffset } of plan) {
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition, offset: newOffset }]);
  }
  return [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets }));
}

export function groupNotEmpty(groupId: string, members: number | undefined, cause?: unknown): KafkaError {
  const count = members === undefined ? '' : ` (${members} member${members === 1 ? '' : 's'})`;
  return new KafkaError('GROUP_NOT_EMPTY', `Group ${groupId} has active members${count}; stop them first`, {
    cause,
    retryable: false,
  });
}
