import type { DecodeResult } from '@kafka-poc/contracts';
import type { Database, Transaction } from '@kafka-poc/db';
import type { BatchContext, BatchHandler, IncomingMessage, KafkaProducer } from '@kafka-poc/kafka';
import { sql } from 'drizzle-orm';
import { type DeadLetter, publishDeadLetters } from './dead-letter.ts';
import { claimEvents } from './inbox.ts';
import { failureKind, InboxError } from './inbox-failures.ts';
import { isolatePoison } from './inbox-poison.ts';
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
  /** Attempts of a batch that fails with a non-environmental error before it is split to find the culprit. */
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
 *  1. decode every message: malformed ones go to the dead-letter topic first (acked); one of a
 *     version or type this consumer does not read parks the batch (retried, never dead-lettered),
 *  2. one DB transaction: claim the event ids in the inbox, apply only the new ones,
 *  3. return, so the runner commits the offsets — only after the transaction committed.
 * A failure throws and the runner retries the same batch with backoff, for as long as it takes. A
 * decoded event is dead-lettered only on evidence that it fails by itself (inbox-poison.ts), never
 * for an environmental failure (timeouts, locks, deadlocks, connections, a schema mid-deploy).
 */
export function createInboxBatchHandler<E extends Envelope>(options: InboxHandlerOptions<E>): BatchHandler {
  const maxAttempts = options.maxAttempts ?? 3;
  // Messages already dead-lettered while this batch is being retried: published once, not per attempt.
  const deadLettered = new Set<string>();
  const deadLetter = async (letters: DeadLetter[]) => {
    if (letters.length === 0) return;
    await publishDeadLetters(options.producer, options.groupId, letters);
    for (const letter of letters) deadLettered.add(position(letter.message));
    options.hooks?.onDeadLettered?.(letters);
  };

  return async (batch: IncomingMessage[], context: BatchContext) => {
    const pending = batch.filter((message) => !deadLettered.has(position(message)));
    const { good, malformed, unsupported } = decodeBatch(pending, options.decode);
    await deadLetter(malformed);
    if (unsupported.length > 0) throw parked(unsupported);

    try {
      await applyInTransaction(options, good);
    } catch (error) {
      if (failureKind(error) === 'environment' || context.attempt < maxAttempts) throw error;
      await isolatePoison(good, {
        applyOne: (consumed) => applyInTransaction(options, [consumed]),
        deadLetter,
        probe: () => databaseAnswers(options.db),
        attempts: context.attempt,
      });
    }
    deadLettered.clear();
  };
}

function decodeBatch<E extends Envelope>(
  batch: IncomingMessage[],
  decode: (value: Buffer) => DecodeResult<E>,
) {
  const good: ConsumedEvent<E>[] = [];
  const malformed: DeadLetter[] = [];
  const unsupported: { message: IncomingMessage; error: string }[] = [];
  for (const message of batch) {
    const result = decode(message.value);
    if (result.ok) good.push({ event: result.event, message });
    else if (result.reason === 'unsupported') unsupported.push({ message, error: result.error });
    else malformed.push({ message, error: result.error, attempts: 1 });
  }
  return { good, malformed, unsupported };
}

/** Events of a newer producer: not poison (a consumer that reads them will come), so never dead-lettered. */
function parked(unsupported: { message: IncomingMessage; error: string }[]): InboxError {
  const first = unsupported[0];
  const where = first ? ` (first at ${position(first.message)}: ${first.error})` : '';
  return new InboxError(
    'EVENT_UNSUPPORTED',
    `${unsupported.length} event(s) this consumer cannot read${where}; ` +
      'parked until a consumer that reads them is deployed',
    { retryable: true },
  );
}

/** The probe for a lone event: the database answers a query, so its refusal was about the event. */
async function databaseAnswers(db: Database): Promise<boolean> {
  try {
    await db.execute(sql`SELECT 1`);
    return true;
  } catch (error) {
    if (failureKind(error) === 'environment') throw error;
    return false;
  }
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

function position(message: IncomingMessage): string {
  return `${message.topic}/${message.partition}/${message.offset}`;
}
