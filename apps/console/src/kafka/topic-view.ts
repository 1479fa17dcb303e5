import { isDeadLetterTopic } from '@kafka-poc/contracts';
import type { TopicDescription } from '@kafka-poc/kafka';
import type { PartitionView, TopicView } from '../shared/views.ts';

export type { PartitionView, TopicView } from '../shared/views.ts';

export function toTopicView(description: TopicDescription): TopicView {
  const partitions = description.partitions.map(
    (p): PartitionView => ({
      partition: p.partition,
      leader: p.leader,
      replicas: p.replicas,
      isr: p.isr,
      earliestOffset: String(p.earliestOffset),
      latestOffset: String(p.latestOffset),
      messages: Number(p.latestOffset - p.earliestOffset),
      underReplicated: p.isr.length < p.replicas.length,
    }),
  );
  return {
    name: description.name,
    partitionCount: partitions.length,
    replicationFactor: Math.max(0, ...partitions.map((p) => p.replicas.length)),
    messages: partitions.reduce((sum, p) => sum + p.messages, 0),
    underReplicated: partitions.filter((p) => p.underReplicated).length,
    internal: description.name.startsWith('__'),
    deadLetter: isDeadLetterTopic(description.name),
    partitions,
  };
}

/** Kafka's rule for topic names. */
export const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
