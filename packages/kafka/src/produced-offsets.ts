import { KafkaError } from './errors.ts';
import type { ProducedOffset } from './types.ts';

export interface PlacedMessage {
  topic: string;
  partition: number;
}

/**
 * A produce response carries one base offset per partition; the records of that partition in the
 * request got consecutive offsets in request order. Gives every message its own offset, in input order.
 */
export function assignProducedOffsets(
  messages: PlacedMessage[],
  baseOffsets: { topic: string; partition: number; offset: bigint }[],
): ProducedOffset[] {
  const next = new Map<string, bigint>();
  for (const { topic, partition, offset } of baseOffsets) next.set(`${topic}:${partition}`, offset);
  return messages.map(({ topic, partition }) => {
    const key = `${topic}:${partition}`;
    const offset = next.get(key);
    if (offset === undefined) {
      throw new KafkaError('KAFKA_PRODUCE_FAILED', `No acknowledgement for ${key}`, { retryable: true });
    }
    next.set(key, offset + 1n);
    return { topic, partition, offset };
  });
}
