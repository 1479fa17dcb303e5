import type { Transaction } from '@kafka-poc/db';
import { sql } from 'drizzle-orm';
import type { InboxTable } from './tables.ts';

export interface InboxEntry {
  eventId: string;
  eventType: string;
  topic: string;
  partition: number;
  offset: bigint;
}

/**
 * Records events as processed inside the caller's transaction and returns the ids that were new.
 * An id already in the inbox (a redelivery, a replay, a duplicate in the same batch) is not returned,
 * so its effect is skipped. Concurrent claims of the same id serialize on the primary key.
 */
export async function claimEvents(
  tx: Transaction,
  table: InboxTable,
  entries: InboxEntry[],
): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const rows = await tx
    .insert(table)
    .values(entries)
    .onConflictDoNothing({ target: table.eventId })
    .returning({ eventId: table.eventId });
  return new Set(rows.map((r) => r.eventId));
}

/** Removes inbox rows so the given events can be deliberately re-applied (projection rebuilds). */
export async function forgetEvents(tx: Transaction, table: InboxTable, eventIds: string[]): Promise<number> {
  if (eventIds.length === 0) return 0;
  const result = await tx.execute(
    sql`DELETE FROM ${table} WHERE ${table.eventId} = ANY(${sql.param(eventIds)}::uuid[])`,
  );
  return result.rowCount ?? 0;
}
