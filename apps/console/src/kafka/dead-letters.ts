import { HEADERS } from '@kafka-poc/contracts';
import type { IncomingMessage, OutgoingMessage } from '@kafka-poc/kafka';

export interface DeadLetterInfo {
  originalTopic: string;
  originalPartition: number | null;
  originalOffset: string | null;
  error: string | null;
  attempts: number | null;
  consumerGroup: string | null;
  failedAt: string | null;
  /** Set when this letter is itself a redriven one that failed again. */
  redrivenFrom: string | null;
}

export function isDeadLetterTopic(topic: string): boolean {
  return topic.endsWith('.DLT') && topic.length > 4;
}

/** The topic a dead-letter topic belongs to (by name; the letter's own header wins when redriving). */
export function originalTopicOf(dlt: string): string {
  return dlt.slice(0, -'.DLT'.length);
}

/** What the error headers say about a dead letter. */
export function deadLetterInfo(letter: IncomingMessage): DeadLetterInfo {
  const h = letter.headers;
  const int = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
  return {
    originalTopic: h[HEADERS.dlqOriginalTopic] ?? originalTopicOf(letter.topic),
    originalPartition: int(h[HEADERS.dlqOriginalPartition]),
    originalOffset: h[HEADERS.dlqOriginalOffset] ?? null,
    error: h[HEADERS.dlqError] ?? null,
    attempts: int(h[HEADERS.dlqAttempts]),
    consumerGroup: h[HEADERS.dlqConsumerGroup] ?? null,
    failedAt: h[HEADERS.dlqFailedAt] ?? null,
    redrivenFrom: h[HEADERS.dlqRedrivenFrom] ?? null,
  };
}

/**
 * The message that puts a dead letter back on its original topic: same key, value and headers,
 * without the dlq-* ones, plus `dlq-redriven-from` naming the letter. Consumers are idempotent, so
 * a letter redriven twice has one effect; one that is still invalid goes back to the DLT.
 */
export function redriveMessage(letter: IncomingMessage): OutgoingMessage {
  const headers = Object.fromEntries(Object.entries(letter.headers).filter(([k]) => !k.startsWith('dlq-')));
  headers[HEADERS.dlqRedrivenFrom] = `${letter.topic}:${letter.partition}:${letter.offset}`;
  const target = letter.headers[HEADERS.dlqOriginalTopic] ?? originalTopicOf(letter.topic);
  return {
    topic: isDeadLetterTopic(target) ? originalTopicOf(letter.topic) : target,
    ...(letter.key !== undefined ? { key: letter.key } : {}),
    value: letter.value,
    headers,
  };
}
