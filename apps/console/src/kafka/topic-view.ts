import type { TopicDescription } from '@kafka-poc/kafka';

export interface PartitionView {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  earliestOffset: string;
  latestOffset: string;
  /** latest - earliest: exact for plain topics; an upper bound with compaction or transaction markers. */
  messages: number;
  /** Some replica is not in sync. */
  underReplicated: boolean;
}

export interface TopicView {
  name: string;
  partitionCount: number;
  replicationFactor: number;
  messages: number;
  underReplicated: number;
  internal: boolean;
  deadLetter: boolean;
  partitions: PartitionView[];
}

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
    deadLetter: description.name.endsWith('.DLT'),
    partitions,
  };
}

/** Kafka's rule for topic names. */
export const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
