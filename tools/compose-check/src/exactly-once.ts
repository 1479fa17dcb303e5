// The final "nothing lost, nothing duplicated" check: packages/verification's checkPipeline, the same
// independent checker the fault suite and the chaos campaign run, against the compose stack from the
// host (PostgreSQL on localhost:5432 as the administrator, Kafka on its host listener).
import { consumerGroups, TOPICS } from '@kafka-poc/contracts';
import { createAdmin } from '@kafka-poc/kafka';
import {
  type CheckFigures,
  checkPipeline,
  describeViolation,
  type Violation,
  waitUntilSettled,
} from '@kafka-poc/verification';

/** Where a record sits on a topic, as the checker names it: `order-events:1@42`. */
export function recordPosition(topic: string, partition: number | string, offset: number | string): string {
  return `${topic}:${partition}@${offset}`;
}

/**
 * Splits the checker's violations into the ones the demos caused on purpose and real problems: the
 * poison demo writes a line that is not an event to order-events, so the checker's `valid-topics`
 * reports that record (and only that one may be reported).
 */
export function judgeViolations(
  violations: readonly Violation[],
  poisoned: ReadonlySet<string>,
): { problems: string[]; expected: string[] } {
  const problems: string[] = [];
  const expected: string[] = [];
  for (const v of violations) {
    const position = v.detail.split(' ', 1)[0] ?? '';
    if (v.invariant === 'valid-topics' && poisoned.has(position)) expected.push(describeViolation(v));
    else problems.push(describeViolation(v));
  }
  return { problems, expected };
}

export function describeFigures(f: CheckFigures): string {
  return [
    `${f.stored} orders stored (${f.accepted} answered 201): CONFIRMED ${f.confirmed}, REJECTED ${f.rejected}, CANCELLED ${f.cancelled}, EXPIRED ${f.expired}, PENDING ${f.pending}`,
    `${f.reservations} reservations (${f.released} released), ${f.notifications} notifications`,
    `${f.orderEventRecords} order-events and ${f.decisionEventRecords} inventory-events records (${f.orderEventCopies + f.decisionEventCopies} copies), ${f.deadLetters} dead letters`,
  ].join('; ');
}

export interface ExactlyOnceInput {
  databaseUrl: string;
  brokers: string[];
  initialStock: Map<string, number>;
  /** Ids of every order answered 201 since the volumes were created. */
  accepted: string[];
  /** Positions of the records the poison demo wrote (recordPosition). */
  poisoned: ReadonlySet<string>;
  settleTimeoutMs: number;
}

/**
 * Waits until the pipeline has nothing left to do (verification's waitUntilSettled: no pending
 * order, every status notified and delivered, outboxes empty, no lag), then runs checkPipeline over
 * everything the stack did. Returns the step's result line; throws with every violation.
 */
export async function checkExactlyOnce(input: ExactlyOnceInput): Promise<string> {
  const admin = createAdmin({ brokers: input.brokers, clientId: 'compose-check' });
  await admin.start();
  try {
    const groups = consumerGroups(TOPICS);
    const settled = await waitUntilSettled(input.databaseUrl, admin, groups, input.settleTimeoutMs);
    const { violations, figures } = await checkPipeline({
      databaseUrl: input.databaseUrl,
      admin,
      topics: TOPICS,
      groups,
      initialStock: input.initialStock,
      history: { accepted: input.accepted },
    });
    const { problems, expected } = judgeViolations(violations, input.poisoned);
    if (!settled.settled) problems.unshift(`not settled: ${settled.outstanding.join('; ')}`);
    if (problems.length > 0) throw new Error(`${problems.length} violation(s):\n${problems.join('\n')}`);
    const poison =
      expected.length > 0 ? `; expected: ${expected.length} poison record(s) on order-events` : '';
    return `checkPipeline: no violation; settled in ${(settled.ms / 1000).toFixed(1)} s; ${describeFigures(figures)}${poison}`;
  } finally {
    await admin.stop().catch(() => undefined);
  }
}
