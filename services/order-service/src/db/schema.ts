import { defineInboxTable, defineOutboxTable } from '@kafka-poc/outbox';
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** `orders` keeps the original's table name, so `SELECT * FROM orders;` still works. */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey(),
    item: text('item').notNull(),
    quantity: integer('quantity').notNull(),
    status: text('status', { enum: ['PENDING', 'CONFIRMED', 'REJECTED'] }).notNull(),
    reason: text('reason'),
    idempotencyKey: text('idempotency_key').unique(),
    /** Hash of the request body stored with the key, to refuse the same key with another body. */
    requestHash: text('request_hash'),
    correlationId: text('correlation_id'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    check('orders_quantity_positive', sql`${t.quantity} > 0`),
    index('orders_created_idx').on(t.createdAt.desc(), t.id.desc()),
    index('orders_status_created_idx').on(t.status, t.createdAt.desc(), t.id.desc()),
  ],
);

export const orderOutbox = defineOutboxTable('order_outbox');
export const orderInbox = defineInboxTable('order_inbox');
