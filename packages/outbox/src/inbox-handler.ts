import type { DecodeResult } from '@kafka-poc/contracts';
import { type Database, isRetryableDbError, type Transaction } from '@kafka-poc/db';
import type { BatchContext, BatchHandler, IncomingMessage, KafkaProducer } from '@kafka-poc/kafka';
import { declaredRetryable } from '@kafka-poc/resilience';
import { type DeadLetter, publishDeadLetters } from './dead-letter.ts';
import { claimEvents } from './inbox.ts';
import type { InboxTable } from './tables.ts';

interface Envelope {
  id: string;
  type: string;
}

export interface ConsumedEvent<E extends Envelope> {
  event: E;
  message: IncomingMessage;
  /** W3C traceparent of this event's processing span, for the events its effect emits. */
  traceparent?: string | undefined;
}

/** Tracing hook: one span per applied event, continuing the trace carried in its headers. */
export interface EventTracer {
  start(
    message: IncomingMessage,
    eventType: string,
  ): { traceparent: string | undefined; end: (error?: unknown) => void };
}

export interface InboxHandlerOptions<E extends Envelope> {
  db: Database;
  producer: KafkaProducer;
  groupId: string;
  inbox: InboxTable;
  decode: (value: Buffer) => DecodeResult<E>;
  /** Applies the effects of events not seen before, in batch order, inside the batch transaction. */
  apply: (tx: Transaction, events: ConsumedEvent<E>[]) => Promise<void>;
  /** Attempts of a batch that fails with a non-transient error before it is split to find the culprit. */
  maxAttempts?: number;
  hooks?: InboxHandlerHooks<E>;
  tracer?: EventTracer;
}

export interface InboxHandlerHooks<E extends Envelope> {
  /** After the transaction committed: `applied` were new, `duplicates` were already in the inbox. */
  onCommitted?: (applied: ConsumedEvent<E>[], duplicates: number) => void;
  onDeadLettered?: (letters: DeadLetter[]) => void;
}

/**
 * The idempotent-consumer pipeline for one fetched batch:
 *  1. decode and validate every message; poison goes to the dead-letter topic first (acked),
 *  2. one DB transaction: claim the event ids in the inbox, apply only the new ones,
 *  3. return, so the runner commits the offsets — only after the transaction committed.
 * Transient failures (DB or broker down) throw: the runner retries the same batch with backoff, and
 * nothing is dead-lettered. A batch that keeps failing for another reason is split, one transaction
 * per event, and only the events that still fail are dead-lettered.
 */
export function createInboxBatchHandler<E extends Envelope>(options: InboxHandlerOptions<E>): BatchHandler {
  const maxAttempts = options.maxAttempts ?? 3;
  // Poison already dead-lettered while this batch is being retried: published once, not per attempt.
  const deadLettered = new Set<string>();

  return async (batch: IncomingMessage[], context: BatchContext) => {
    const { good, poison } = decodeBatch(batch, options.decode);
    const fresh = poison.filter((p) => !deadLettered.has(position(p.message)));
    await publishDeadLetters(options.producer, options.groupId, fresh);
    for (const letter of fresh) deadLettered.add(position(letter.message));
    if (fresh.length > 0) options.hooks?.onDeadLettered?.(fresh);

    try {
      await applyInTransaction(options, good);
    } catch (error) {
      if (isTransient(error) || context.attempt < maxAttempts) throw error;
      await applyOneByOne(options, good, context.attempt);
    }
    deadLettered.clear();
  };
}

function decodeBatch<E extends Envelope>(
  batch: IncomingMessage[],
  decode: (value: Buffer) => DecodeResult<E>,
) {
  const good: ConsumedEvent<E>[] = [];
  const poison: DeadLetter[] = [];
  for (const message of batch) {
    const result = decode(message.value);
    if (result.ok) good.push({ event: result.event, message });
    else poison.push({ message, error: result.error, attempts: 1 });
  }
  return { good, poison };
}

async function applyInTransaction<E extends Envelope>(
  options: InboxHandlerOptions<E>,
  events: ConsumedEvent<E>[],
) {
  if (events.length === 0) return;
  const spans: { end: (error?: unknown) => void }[] = [];
  let result: { applied: ConsumedEvent<E>[]; duplicates: number };
  try {
    result = await options.db.transaction(async (tx) => {
      const claimed = await claimEvents(
        tx,
        options.inbox,
        events.map(({ event, message }) => ({
          eventId: event.id,
          eventType: event.type,
          topic: message.topic,
          partition: message.partition,
          offset: message.offset,
        })),
      );
      // The same id twice in one batch is claimed once; apply it once (its first occurrence).
      const applied = events.filter(({ event }) => claimed.delete(event.id));
      for (const consumed of applied) {
        const span = options.tracer?.start(consumed.message, consumed.event.type);
        consumed.traceparent = span?.traceparent;
        if (span) spans.push(span);
      }
      await options.apply(tx, applied);
      return { applied, duplicates: events.length - applied.length };
    });
  } catch (error) {
    for (const span of spans) span.end(error);
    throw error;
  }
  // Spans end when the effect is committed, so their duration covers the whole transaction.
  for (const span of spans) span.end();
  options.hooks?.onCommitted?.(result.applied, result.duplicates);
}

async function applyOneByOne<E extends Envelope>(
  options: InboxHandlerOptions<E>,
  events: ConsumedEvent<E>[],
  attempts: number,
) {
  for (const consumed of events) {
    try {
      await applyInTransaction(options, [consumed]);
    } catch (error) {
      if (isTransient(error)) throw error;
      const letter = { message: consumed.message, error: describe(error), attempts };
      await publishDeadLetters(options.producer, options.groupId, [letter]);
      options.hooks?.onDeadLettered?.([letter]);
    }
  }
}

function isTransient(error: unknown): boolean {
  if (isRetryableDbError(error)) return true;
  return declaredRetryable(error) === true;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function position(message: IncomingMessage): string {
  return `${message.topic}/${message.partition}/${message.offset}`;
}
