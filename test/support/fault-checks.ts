import { deadLetterTopic } from '@kafka-poc/contracts';
import pg from 'pg';
import { checkInvariants, lagProblems, readFacts } from './invariants.ts';
import type { Scenario } from './process-stack.ts';

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
  const started = Date.now();
  let outstanding: string[] = ['not checked yet'];
  while (Date.now() - started < timeoutMs) {
    outstanding = await outstandingWork(scenario).catch((error: Error) => [error.message]);
    if (outstanding.length === 0) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`not settled within ${timeoutMs} ms: ${outstanding.slice(0, 10).join('; ')}`);
}

async function outstandingWork(scenario: Scenario): Promise<string[]> {
  const rows = await query<{ what: string; n: number }>(
    scenario.databaseUrl,
    `SELECT 'pending orders' AS what, count(*)::int AS n FROM orders WHERE status = 'PENDING'
     UNION ALL SELECT 'orders without notification', count(*)::int FROM orders o
       WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.order_id = o.id)
     UNION ALL SELECT 'undelivered notifications', count(*)::int FROM notifications WHERE delivery_status = 'PENDING'
     UNION ALL SELECT 'unsent order_outbox rows', count(*)::int FROM order_outbox WHERE sent_at IS NULL
     UNION ALL SELECT 'unsent inventory_outbox rows', count(*)::int FROM inventory_outbox WHERE sent_at IS NULL`,
  );
  const work = rows.filter((r) => r.n > 0).map((r) => `${r.n} ${r.what}`);
  return [...work, ...(await lagProblems(scenario.stack.admin, scenario.consumerGroups))];
}

/**
 * The invariants of issue 4 after a scenario: every order answered 201 (and every other stored
 * order) is final with exactly one decision and one notification; stock is conserved and never
 * negative; each order produced exactly one event per outbox; nothing is unsent, undelivered or
 * dead-lettered; no group lags; and no service exited unless the test made it.
 */
export async function verifyScenario(scenario: Scenario, accepted: string[]): Promise<Verification> {
  const facts = await readFacts(scenario.databaseUrl);
  const ids = [...new Set([...accepted, ...facts.orders.map((o) => o.id)])];
  const problems = checkInvariants(facts, scenario.initialStock, ids);
  const extra = await query<{ problem: string }>(
    scenario.databaseUrl,
    `SELECT 'order ' || key || ' has ' || count(*) || ' order.created events' AS problem
       FROM order_outbox GROUP BY key HAVING count(*) <> 1
     UNION ALL SELECT 'order ' || key || ' has ' || count(*) || ' decision events'
       FROM inventory_outbox GROUP BY key HAVING count(*) <> 1
     UNION ALL SELECT count(*) || ' outbox rows never sent' FROM
       (SELECT 1 FROM order_outbox WHERE sent_at IS NULL UNION ALL SELECT 1 FROM inventory_outbox WHERE sent_at IS NULL) u
       HAVING count(*) > 0
     UNION ALL SELECT count(*) || ' notifications not delivered (' || string_agg(DISTINCT delivery_status, ',') || ')'
       FROM notifications WHERE delivery_status <> 'SENT' HAVING count(*) > 0`,
  );
  problems.push(...extra.map((r) => r.problem));
  problems.push(...(await lagProblems(scenario.stack.admin, scenario.consumerGroups)));
  problems.push(...(await deadLetterProblems(scenario)));
  for (const [id, exits] of Object.entries(scenario.unexpectedExits())) {
    problems.push(`${id} exited ${exits} time(s) by itself`);
  }
  return { problems, counts: await counts(scenario, accepted.length, facts) };
}

/** A transient fault must never dead-letter a good event: the dead-letter topics stay empty. */
async function deadLetterProblems(scenario: Scenario): Promise<string[]> {
  const { orderEvents, inventoryEvents } = scenario.topics;
  const topics = await scenario.stack.admin.describeTopics([
    deadLetterTopic(orderEvents),
    deadLetterTopic(inventoryEvents),
  ]);
  return topics.flatMap((t) => {
    const letters = t.partitions.reduce((sum, p) => sum + (p.latestOffset - p.earliestOffset), 0n);
    return letters > 0n ? [`${letters} record(s) in ${t.name}`] : [];
  });
}

async function counts(
  scenario: Scenario,
  accepted: number,
  facts: Awaited<ReturnType<typeof readFacts>>,
): Promise<Record<string, number>> {
  const [inbox] = await query<Record<string, number>>(
    scenario.databaseUrl,
    `SELECT (SELECT count(*)::int FROM inventory_inbox) AS "inventoryInbox",
            (SELECT count(*)::int FROM order_inbox) AS "orderInbox",
            (SELECT count(*)::int FROM notification_inbox) AS "notificationInbox"`,
  );
  return {
    accepted,
    stored: facts.orders.length,
    confirmed: facts.orders.filter((o) => o.status === 'CONFIRMED').length,
    rejected: facts.orders.filter((o) => o.status === 'REJECTED').length,
    notifications: facts.notifications.length,
    ...inbox,
  };
}

/**
 * A fingerprint of every effect in the database (decisions, stock, order statuses, notifications and
 * the events emitted): equal before and after a replay = the replay changed nothing.
 */
export async function effectsFingerprint(databaseUrl: string): Promise<Record<string, string>> {
  const [row] = await query<Record<string, string>>(
    databaseUrl,
    `SELECT
       (SELECT count(*) || ':' || md5(coalesce(string_agg(order_id::text || status || quantity, ',' ORDER BY order_id), ''))
          FROM reservations) AS reservations,
       (SELECT string_agg(item || '=' || stock, ',' ORDER BY item) FROM inventory) AS stock,
       (SELECT count(*) || ':' || md5(coalesce(string_agg(id::text || status, ',' ORDER BY id), '')) FROM orders) AS orders,
       (SELECT count(*) || ':' || md5(coalesce(string_agg(id::text || order_id::text || delivery_status, ',' ORDER BY id), ''))
          FROM notifications) AS notifications,
       (SELECT count(*)::text FROM order_outbox) AS "orderEvents",
       (SELECT count(*)::text FROM inventory_outbox) AS "decisionEvents"`,
  );
  return row ?? {};
}

export async function query<T extends pg.QueryResultRow>(
  databaseUrl: string,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}
