import { HEADERS, originalTopic } from '@kafka-poc/contracts';
import type { IncomingMessage } from '@kafka-poc/kafka';
import type { DeadLetterInfo } from '../shared/views.ts';

/** What the error headers say about a dead letter. */
export function deadLetterInfo(letter: IncomingMessage): DeadLetterInfo {
  const h = letter.headers;
  const int = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
  return {
    originalTopic: h[HEADERS.dlqOriginalTopic] ?? originalTopic(letter.topic) ?? letter.topic,
    originalPartition: int(h[HEADERS.dlqOriginalPartition]),
    originalOffset: h[HEADERS.dlqOriginalOffset] ?? null,
    error: h[HEADERS.dlqError] ?? null,
    attempts: int(h[HEADERS.dlqAttempts]),
    consumerGroup: h[HEADERS.dlqConsumerGroup] ?? null,
    failedAt: h[HEADERS.dlqFailedAt] ?? null,
    redrivenFrom: h[HEADERS.dlqRedrivenFrom] ?? null,
  };
}
