import { sleep } from '@kafka-poc/resilience';
import type { Admin } from '@platformatic/kafka';
import { hasApiError } from './error-mapping.ts';
import { KafkaError } from './errors.ts';
import type { PartitionRef, TopicSpec } from './types.ts';

/** How long ensureTopics waits for new topics to have a leader everywhere, so producing right after works. */
const topicReadyTimeoutMs = 15_000;

/**
 * Creates one topic; false if it already existed. One request per topic: the library applies
 * `configs` to every topic of a request.
 */
export async function createTopic(admin: Admin, spec: TopicSpec): Promise<boolean> {
  try {
    await admin.createTopics({
      topics: [spec.name],
      partitions: spec.partitions,
      replicas: spec.replicationFactor,
      configs: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
    });
    return true;
  } catch (error) {
    // Two services starting at once both see the topic missing; the loser of the race is fine.
    if (hasApiError(error, 'TOPIC_ALREADY_EXISTS')) return false;
    throw error;
  }
}

/** Waits until every partition of the topics has a leader: created is not yet usable. */
export async function waitForLeaders(admin: Admin, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const deadline = Date.now() + topicReadyTimeoutMs;
  while (Date.now() < deadline) {
    try {
      const metadata = await admin.metadata({ topics: names, forceUpdate: true, retries: 0 });
      const ready = names.every((n) => {
        const partitions = metadata.topics.get(n)?.partitions ?? [];
        return partitions.length > 0 && partitions.every((p) => p && p.leader >= 0);
      });
      if (ready) return;
    } catch {
      // Not in the metadata yet.
    }
    await sleep(100);
  }
  throw new KafkaError('KAFKA_ADMIN_FAILED', `Topics ${names.join(', ')} have no leader yet`, {
    retryable: true,
  });
}

export type Metadata = Awaited<ReturnType<Admin['metadata']>>;

/** Metadata of existing topics: TOPIC_NOT_FOUND instead of the library's endless unknown-topic retries. */
export async function topicMetadata(admin: Admin, names: string[]): Promise<Metadata> {
  const existing = new Set(await admin.listTopics({ includeInternals: true }));
  const unknown = names.filter((n) => !existing.has(n));
  if (unknown.length > 0) {
    throw new KafkaError('TOPIC_NOT_FOUND', `Unknown topic(s): ${unknown.join(', ')}`, { retryable: false });
  }
  return admin.metadata({ topics: names, forceUpdate: true });
}

export function partitionRefs(metadata: Metadata, topic: string): PartitionRef[] {
  const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
  return Array.from({ length: count }, (_, partition) => ({ topic, partition }));
}
