import { VIEWS } from '@kafka-poc/contracts';
import type { KafkaAdmin } from '@kafka-poc/kafka';
import { CHECKER_DB_DEADLINE_MS, type CheckerDbOptions, query } from './db.ts';
import { type ConsumerGroup, lagProblems } from './lag.ts';

/**
 * What the pipeline still has to do, from Postgres and the group offsets: pending orders, orders
 * not notified of their status, stock of cancelled or expired orders not given back yet, undelivered
 * notifications, unsent outbox rows, lag. Empty = settled.
 */
export async function outstandingWork(
  databaseUrl: string,
  admin: KafkaAdmin,
  groups: ConsumerGroup[],
  db: CheckerDbOptions = {},
): Promise<string[]> {
  const rows = await query<{ what: string; n: number }>(
    databaseUrl,
    `SELECT 'pending orders' AS what, count(*)::int AS n FROM ${VIEWS.orders} WHERE status = 'PENDING'
     UNION ALL SELECT 'decided orders not notified of their status', count(*)::int FROM ${VIEWS.orders} o
       WHERE o.status <> 'PENDING'
         AND NOT EXISTS (SELECT 1 FROM ${VIEWS.notifications} n WHERE n.order_id = o.id AND n.status = o.status)
     UNION ALL SELECT 'cancelled or expired orders still holding stock', count(*)::int FROM ${VIEWS.orders} o
       JOIN ${VIEWS.reservations} r ON r.order_id = o.id
      WHERE o.status IN ('CANCELLED', 'EXPIRED') AND r.status = 'RESERVED'
     UNION ALL SELECT 'undelivered notifications', count(*)::int FROM ${VIEWS.notifications} WHERE delivery_status = 'PENDING'
     UNION ALL SELECT 'unsent order_outbox rows', count(*)::int FROM ${VIEWS.orderOutbox} WHERE sent_at IS NULL
     UNION ALL SELECT 'unsent inventory_outbox rows', count(*)::int FROM ${VIEWS.inventoryOutbox} WHERE sent_at IS NULL`,
    [],
    db,
  );
  const work = rows.filter((r) => r.n > 0).map((r) => `${r.n} ${r.what}`);
  return [...work, ...(await lagProblems(admin, groups))];
}

/**
 * Waits until nothing is outstanding (checked every 500 ms). Resolves with how long it took, or
 * with what is still outstanding when timeoutMs passes (the checker then says what that breaks).
 * A Postgres outage meanwhile is waited out (each check retries until the time left, at most the
 * checker's deadline) and, if it lasts, reported as what is outstanding.
 */
export async function waitUntilSettled(
  databaseUrl: string,
  admin: KafkaAdmin,
  groups: ConsumerGroup[],
  timeoutMs: number,
  db: CheckerDbOptions = {},
): Promise<{ settled: true; ms: number } | { settled: false; ms: number; outstanding: string[] }> {
  const started = Date.now();
  let outstanding: string[] = ['not checked yet'];
  while (Date.now() - started < timeoutMs) {
    const left = timeoutMs - (Date.now() - started);
    const deadlineMs = Math.min(left, db.deadlineMs ?? CHECKER_DB_DEADLINE_MS);
    outstanding = await outstandingWork(databaseUrl, admin, groups, { ...db, deadlineMs }).catch(
      (error: Error) => [error.message],
    );
    if (outstanding.length === 0) return { settled: true, ms: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { settled: false, ms: Date.now() - started, outstanding };
}
