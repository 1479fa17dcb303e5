import { VIEWS } from '@kafka-poc/contracts';
import { checkPipeline, describeViolation, query, waitUntilSettled as settle } from '@kafka-poc/verification';
import type { Scenario } from './process-stack.ts';

export { query } from '@kafka-poc/verification';

export interface Verification {
  /** Every violated invariant, one line each; empty = the scenario lost and duplicated nothing. */
  problems: string[];
  counts: Record<string, number>;
}

/**
 * Waits until the pipeline has nothing left to do: every stored order decided and notified, every
 * notification delivered, both outboxes empty, no lag on any group. Throws with what is still
 * missing when that takes longer than timeoutMs. Returns how long it took.
 */
export async function waitUntilSettled(scenario: Scenario, timeoutMs = 90_000): Promise<number> {
  const result = await settle(scenario.databaseUrl, scenario.stack.admin, scenario.consumerGroups, timeoutMs);
  if (!result.settled) {
    throw new Error(`not settled within ${timeoutMs} ms: ${result.outstanding.slice(0, 10).join('; ')}`);
  }
  return result.ms;
}

/**
 * The checker's invariants (packages/verification, the same the chaos campaign runs) after a
 * scenario, plus two the fault suite adds: the dead-letter topics stay empty (no scenario injects
 * poison), and no service exited unless the test made it.
 */
export async function verifyScenario(scenario: Scenario, accepted: string[]): Promise<Verification> {
  const { violations, figures } = await checkPipeline({
    databaseUrl: scenario.databaseUrl,
    admin: scenario.stack.admin,
    topics: scenario.topics,
    groups: scenario.consumerGroups,
    initialStock: scenario.initialStock,
    history: { accepted },
  });
  const problems = violations.map(describeViolation);
  if (figures.deadLetters > 0) problems.push(`${figures.deadLetters} record(s) in the dead-letter topics`);
  for (const [id, exits] of Object.entries(scenario.unexpectedExits())) {
    problems.push(`${id} exited ${exits} time(s) by itself`);
  }
  const { storedByOutcome: _byOutcome, ...counts } = figures;
  return { problems, counts };
}

/**
 * A fingerprint of every effect in the database (decisions and releases, stock levels and movements,
 * order statuses, notifications and the events emitted): equal before and after a replay = the replay changed nothing.
 */
export async function effectsFingerprint(databaseUrl: string): Promise<Record<string, string>> {
  const [row] = await query<Record<string, string>>(
    databaseUrl,
    `SELECT
       (SELECT count(*) || ':' || md5(coalesce(string_agg(order_id::text || status || quantity, ',' ORDER BY order_id), ''))
          FROM ${VIEWS.reservationsV2}) AS reservations,
       (SELECT string_agg(item || '=' || available || '/' || on_hand || '/' || reserved || '@' || version, ',' ORDER BY item)
          FROM ${VIEWS.stockV2}) AS stock,
       (SELECT count(*) || ':' || md5(coalesce(string_agg(id::text || kind || on_hand_delta || reserved_delta, ',' ORDER BY id), ''))
          FROM ${VIEWS.stockMovements}) AS movements,
       (SELECT count(*) || ':' || md5(coalesce(string_agg(id::text || status, ',' ORDER BY id), '')) FROM ${VIEWS.orders}) AS orders,
       (SELECT count(*) || ':' || md5(coalesce(string_agg(id::text || order_id::text || status || delivery_status, ',' ORDER BY id), ''))
          FROM ${VIEWS.notifications}) AS notifications,
       (SELECT count(*)::text FROM ${VIEWS.orderOutbox}) AS "orderEvents",
       (SELECT count(*)::text FROM ${VIEWS.inventoryOutbox}) AS "decisionEvents"`,
  );
  return row ?? {};
}
