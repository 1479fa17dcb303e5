import { deadLetterTopic, HEADERS } from '@kafka-poc/contracts';
import type { IncomingMessage, KafkaProducer } from '@kafka-poc/kafka';

export interface DeadLetter {
  message: IncomingMessage;
  error: string;
  attempts: number;
}

/**
 * Publishes poison messages to `<topic>.DLT` with the original key, value and headers plus headers
 * saying where they came from and why they failed. Resolves only once the broker acknowledged them:
 * the caller commits past a poison message only after that.
 */
export async function publishDeadLetters(
  producer: KafkaProducer,
  groupId: string,
  letters: DeadLetter[],
): Promise<void> {
  if (letters.length === 0) return;
  const failedAt = new Date().toISOString();
  await producer.send(
    letters.map(({ message, error, attempts }) => ({
      topic: deadLetterTopic(message.topic),
      ...(message.key !== undefined ? { key: message.key } : {}),
      value: message.value,
      headers: {
        ...message.headers,
        [HEADERS.dlqOriginalTopic]: message.topic,
        [HEADERS.dlqOriginalPartition]: String(message.partition),
        [HEADERS.dlqOriginalOffset]: String(message.offset),
        [HEADERS.dlqError]: error.slice(0, 1000),
        [HEADERS.dlqAttempts]: String(attempts),
        [HEADERS.dlqConsumerGroup]: groupId,
        [HEADERS.dlqFailedAt]: failedAt,
      },
    })),
  );
}
