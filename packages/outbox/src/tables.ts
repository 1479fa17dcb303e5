import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Outbox table of one service: events written in the same transaction as the business row,
 * published later by the relay. `sent_at` is set per row (never a high-water mark), so a row whose
 * transaction commits after a later id is still published. Two partial indexes: unsent rows by id
 * (what the relay reads) and sent rows by `sent_at` (what the purge deletes, a bounded batch at a time).
 */
export function defineOutboxTable(name: string) {
  return pgTable(
    name,
    {
      id: bigint('id', { mode: 'bigint' }).primaryKey().generatedAlwaysAsIdentity(),
      topic: text('topic').notNull(),
      key: text('key'),
      /** The serialized event, published byte for byte (no re-encoding on the way out). */
      value: text('value').notNull(),
      headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
      sentAt: timestamp('sent_at', { withTimezone: true }),
    },
    (t) => [
      index(`${name}_unsent_idx`).on(t.id).where(sql`${t.sentAt} IS NULL`),
      index(`${name}_sent_idx`).on(t.sentAt).where(sql`${t.sentAt} IS NOT NULL`),
    ],
  );
}

/**
 * Inbox table of one consumer group: one row per processed event id, inserted in the same
 * transaction as the event's effect, so a redelivered event finds its row and changes nothing.
 * Rows are kept for the inbox retention (inbox-retention.ts), purged by `processed_at` (indexed).
 */
export function defineInboxTable(name: string) {
  return pgTable(
    name,
    {
      eventId: uuid('event_id').primaryKey(),
      eventType: text('event_type').notNull(),
      topic: text('topic').notNull(),
      partition: integer('partition').notNull(),
      offset: bigint('offset', { mode: 'bigint' }).notNull(),
      processedAt: timestamp('processed_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [index(`${name}_processed_idx`).on(t.processedAt)],
  );
}

export type OutboxTable = ReturnType<typeof defineOutboxTable>;
export type InboxTable = ReturnType<typeof defineInboxTable>;

/**
 * SQL for a custom migration: a statement-level trigger that NOTIFYs the relay when rows are
 * inserted. NOTIFY is delivered at commit and coalesced per transaction, so it costs one message
 * per transaction, not per row.
 */
export function outboxNotifyTriggerSql(table: string): string {
  const channel = outboxChannel(table);
  return [
    `CREATE OR REPLACE FUNCTION ${table}_notify() RETURNS trigger LANGUAGE plpgsql AS $$`,
    `BEGIN PERFORM pg_notify('${channel}', ''); RETURN NULL; END; $$;`,
    `--> statement-breakpoint`,
    `DROP TRIGGER IF EXISTS ${table}_notify_trigger ON ${table};`,
    `--> statement-breakpoint`,
    `CREATE TRIGGER ${table}_notify_trigger AFTER INSERT ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${table}_notify();`,
  ].join('\n');
}

/** LISTEN/NOTIFY channel of an outbox table. */
export function outboxChannel(table: string): string {
  return `${table}_new`;
}
