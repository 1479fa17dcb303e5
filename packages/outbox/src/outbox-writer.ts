import type { Transaction } from '@kafka-poc/db';
import { type SQL, sql } from 'drizzle-orm';
import type { OutboxTable } from './tables.ts';

export interface OutboxMessage {
  topic: string;
  key: string;
  /** Already validated and serialized event. */
  value: string;
  headers: Record<string, string>;
}

/**
 * Appends events to the outbox inside the caller's transaction: one INSERT for all of them, with
 * column arrays (unnest), so the statement is the same for any number of events. Row order = id order.
 */
export async function appendToOutbox(
  tx: Transaction,
  table: OutboxTable,
  messages: OutboxMessage[],
): Promise<void> {
  const insert = outboxInsert(table, messages);
  if (insert) await tx.execute(insert);
}

/** The INSERT of appendToOutbox, to run with other writes in one statement (executeWrites); undefined for none. */
export function outboxInsert(table: OutboxTable, messages: OutboxMessage[]): SQL | undefined {
  if (messages.length === 0) return undefined;
  const column = <V>(pick: (m: OutboxMessage) => V): V[] => messages.map(pick);
  return sql`
    INSERT INTO ${table} (topic, key, value, headers)
    SELECT topic, key, value, headers FROM unnest(
      ${sql.param(column((m) => m.topic))}::text[], ${sql.param(column((m) => m.key))}::text[],
      ${sql.param(column((m) => m.value))}::text[], ${sql.param(column((m) => JSON.stringify(m.headers)))}::jsonb[])
      WITH ORDINALITY AS m(topic, key, value, headers, n)
    ORDER BY n`;
}
