import { murmur2 } from '@platformatic/kafka';
import { KafkaError } from './errors.ts';
import type { OutgoingMessage } from './types.ts';

/**
 * Java-compatible key partitioning: toPositive(murmur2(utf8 key)) % partitions, so a key lands on
 * the same partition whether a Java, kafkajs or this client produced it.
 */
export function keyPartition(key: string, partitionCount: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitionCount;
}

/** Keyless messages are spread round-robin per topic; the counter belongs to one producer. */
export function createRoundRobin(): (topic: string, partitionCount: number) => number {
  const next = new Map<string, number>();
  return (topic, partitionCount) => {
    const current = next.get(topic) ?? 0;
    next.set(topic, (current + 1) % partitionCount);
    return current % partitionCount;
  };
}

/** Explicit partition first, then the key hash, then round-robin. */
export function choosePartition(
  message: OutgoingMessage,
  partitionCount: number,
  roundRobin: (topic: string, partitionCount: number) => number,
): number {
  if (message.partition !== undefined) {
    if (
      !Number.isInteger(message.partition) ||
      message.partition < 0 ||
      message.partition >= partitionCount
    ) {
      throw new KafkaError(
        'INVALID_ARGUMENT',
        `Partition ${message.partition} does not exist in topic ${message.topic} (${partitionCount} partitions)`,
        { retryable: false },
      );
    }
    return message.partition;
  }
  if (message.key !== undefined) return keyPartition(message.key, partitionCount);
  return roundRobin(message.topic, partitionCount);
}
