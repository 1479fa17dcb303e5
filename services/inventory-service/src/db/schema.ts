import { defineInboxTable, defineOutboxTable } from '@kafka-poc/outbox';
import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Available stock per item (original table name). The check is the last line of defence against overselling. */
export const inventory = pgTable(
  'inventory',
  {
    item: text('item').primaryKey(),
    stock: integer('stock').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [check('inventory_stock_not_negative', sql`${t.stock} >= 0`)],
);

/** One reservation decision per order (the primary key makes a second one impossible). */
export const reservations = pgTable('reservations', {
  orderId: uuid('order_id').primaryKey(),
  item: text('item').notNull(),
  quantity: integer('quantity').notNull(),
  status: text('status', { enum: ['RESERVED', 'REJECTED'] }).notNull(),
  reasonCode: text('reason_code'),
  reason: text('reason'),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

export const inventoryOutbox = defineOutboxTable('inventory_outbox');
export const inventoryInbox = defineInboxTable('inventory_inbox');
