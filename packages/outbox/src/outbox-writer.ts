import type { Transaction } from '@kafka-poc/db';
import type { OutboxTable } from './tables.ts';

export interface OutboxMessage {
  topic: string;
  key: string;
  /** Already validated and serialized event. */
  value: string;
  headers: Record<string, string>;
}

/** Appends events to the outbox inside the caller's transaction (one INSERT for all of them). */
export async function appendToOutbox(
  tx: Transaction,
  table: OutboxTable,
  messages: OutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  await tx.insert(table).values(messages);
}
