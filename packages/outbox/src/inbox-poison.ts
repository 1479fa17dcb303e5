import type { IncomingMessage } from '@kafka-poc/kafka';
import type { DeadLetter } from './dead-letter.ts';
import { describeFailure, failureKind, InboxError } from './inbox-failures.ts';

export interface IsolationSteps<T extends { message: IncomingMessage }> {
  /** Applies one event in its own transaction. */
  applyOne: (event: T) => Promise<void>;
  /** Publishes dead letters (resolves once the broker acknowledged them). */
  deadLetter: (letters: DeadLetter[]) => Promise<void>;
  /** A cheap query on the same database: true when it answers (asked only when nothing else succeeded). */
  probe: () => Promise<boolean>;
  /** Attempts the batch has had, for the dead-letter header. */
  attempts: number;
}

/**
 * The batch keeps failing for a reason that may be one event's: apply the events one transaction
 * each to find out. Dead-lettered are only events that fail by themselves:
 *  - a `value` failure (the database can never accept a value of the event, or a handler rule
 *    rejects it): when other events of the split succeed, or else once a probe shows that the
 *    database answers (so it is up and the refusal was about the value). Each event is judged on its
 *    own: two poison events fetched together must not block their partitions forever.
 *  - a `data` failure (unique, foreign key, not null): only when other events of the same split
 *    succeed on the same database, since races, ordering and deploys cause these too.
 * Nothing else is dead-lettered: an environmental failure stops the split at once, and `unknown`
 * ones (a bug) are retried. Events after a failed one with the same key wait for it, so one key's
 * events are never applied out of order. Throws (retryable) unless every event was applied or
 * dead-lettered.
 */
export async function isolatePoison<T extends { message: IncomingMessage }>(
  events: T[],
  steps: IsolationSteps<T>,
): Promise<void> {
  const failures: { event: T; error: unknown }[] = [];
  const blockedKeys = new Set<string>();
  let succeeded = 0;
  let held = 0;
  for (const event of events) {
    const key = keyOf(event.message);
    if (key !== undefined && blockedKeys.has(key)) {
      held += 1;
      continue;
    }
    try {
      await steps.applyOne(event);
      succeeded += 1;
    } catch (error) {
      if (failureKind(error) === 'environment') throw error;
      failures.push({ event, error });
      if (key !== undefined) blockedKeys.add(key);
    }
  }
  if (failures.length === 0 && held === 0) return;
  const othersSucceeded = succeeded > 0;
  const valueFailures = failures.some(({ error }) => failureKind(error) === 'value');
  const databaseAnswers = othersSucceeded || (valueFailures && (await steps.probe()));
  const poison = failures.filter(({ error }) => {
    const kind = failureKind(error);
    return (kind === 'value' && databaseAnswers) || (kind === 'data' && othersSucceeded);
  });
  await steps.deadLetter(
    poison.map(({ event, error }) => ({
      message: event.message,
      error: describeFailure(error),
      attempts: steps.attempts,
    })),
  );
  const remaining = failures.filter((f) => !poison.includes(f));
  if (remaining.length === 0 && held === 0) return;
  const first = remaining[0];
  throw new InboxError(
    'BATCH_NOT_APPLIED',
    `${remaining.length} of ${events.length} event(s) failed without proof that they fail by themselves ` +
      `(${succeeded} applied one by one, ${poison.length} dead-lettered, ${held} waiting for an earlier ` +
      `event of their key); retrying${first ? `: ${describeFailure(first.error)}` : ''}`,
    { cause: first?.error, retryable: true },
  );
}

function keyOf(message: IncomingMessage): string | undefined {
  return message.key === undefined ? undefined : `${message.topic}\u0000${message.key}`;
}
