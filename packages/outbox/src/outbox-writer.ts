import type { Transaction } from '@kafka-poc/db';
import { sql } from 'drizzle-orm';
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
  if (messages.length === 0) return;
  const column = <V>(pick: (m: OutboxMessage) => V): V[] => messages.map(pick);
  await tx.execute(sql`
    INSERT INTO ${table} (topic, key, value, headers)
    SELECT topic, key, value, headers FROM unnest(
      ${sql.param(column((m) => m.topic))}::text[], ${sql.param(column((m) => m.key))}::text[],
      ${sql.param(column((m) => m.value))}::text[], ${sql.param(column((m) => JSON.stringify(m.headers)))}::jsonb[])
      WITH ORDINALITY AS m(topic, key, value, headers, n)
    ORDER BY n`);
}
