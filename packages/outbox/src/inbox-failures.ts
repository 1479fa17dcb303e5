import { isDataRejection, isRetryableDbError, isValueRejection, sqlState } from '@kafka-poc/db';
import { KafkaError } from '@kafka-poc/kafka';
import { declaredRetryable, ServiceError } from '@kafka-poc/resilience';

export type InboxErrorCode =
  /** A handler's rule refuses the event and always will (the handler throws it; the event is poison). */
  | 'EVENT_REJECTED'
  /** An event of a major version or type this consumer does not read: parked until a consumer that does. */
  | 'EVENT_UNSUPPORTED'
  /** Events of the batch could not be applied and are not provably poison: the batch is retried. */
  | 'BATCH_NOT_APPLIED';

export class InboxError extends ServiceError<InboxErrorCode> {}

/** For handlers: the event breaks a rule that will never pass. It is dead-lettered once proven alone. */
export function rejectEvent(reason: string): InboxError {
  return new InboxError('EVENT_REJECTED', reason, { retryable: false });
}

/**
 * How a failed apply is judged. Only `value` and `data` can make an event poison, and only with
 * evidence (see inbox-handler.ts); everything else is retried for as long as it takes.
 *  - environment: the database, the broker or the deploy failed (timeouts, locks, deadlocks,
 *    connections, I/O, a table missing mid-deploy). Never the event's fault.
 *  - value: the database can never accept a value of the event (class 22, CHECK 23514), or the
 *    handler rejected it by rule. Poison even alone, once the database answers a probe.
 *  - data: another integrity violation (unique, foreign key, not null): poison only when the events
 *    beside it succeed, since races, ordering and deploys cause these too.
 *  - unknown: anything else (a bug, an unexpected error). Retried with an alert, never dead-lettered.
 */
export type FailureKind = 'environment' | 'value' | 'data' | 'unknown';

export function failureKind(error: unknown): FailureKind {
  if (error instanceof InboxError) {
    if (error.code === 'EVENT_REJECTED') return 'value';
    if (error.cause !== undefined) return failureKind(error.cause);
    return 'environment';
  }
  if (error instanceof KafkaError) return 'environment';
  if (isRetryableDbError(error) || declaredRetryable(error) === true) return 'environment';
  if (isValueRejection(error)) return 'value';
  if (isDataRejection(error)) return 'data';
  return 'unknown';
}

/** Label for retry metrics and logs: why a consumer batch is being retried. */
export type RetryReason = 'environment' | 'unsupported_event' | 'unclassified';

export function retryReason(error: unknown): RetryReason {
  if (error instanceof InboxError && error.code === 'EVENT_UNSUPPORTED') return 'unsupported_event';
  return failureKind(error) === 'environment' ? 'environment' : 'unclassified';
}

/** `TypeName: message (SQLSTATE 22P02)`, for the dead-letter header and logs. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const state = sqlState(error);
  const inner =
    error.cause instanceof Error && error.message.startsWith('Failed query') ? error.cause : error;
  return `${inner.name}: ${inner.message}${state ? ` (SQLSTATE ${state})` : ''}`;
}
