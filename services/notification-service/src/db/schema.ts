import { defineInboxTable } from '@kafka-poc/outbox';
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** One notification per order outcome (original table name; `order_id` is unique). */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey(),
    orderId: uuid('order_id').notNull().unique(),
    status: text('status', { enum: ['CONFIRMED', 'REJECTED'] }).notNull(),
    message: text('message').notNull(),
    deliveryStatus: text('delivery_status', { enum: ['PENDING', 'SENT', 'FAILED'] })
      .notNull()
      .default('PENDING'),
    deliveryAttempts: integer('delivery_attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('notifications_pending_idx').on(t.nextAttemptAt).where(sql`${t.deliveryStatus} = 'PENDING'`),
    index('notifications_created_idx').on(t.createdAt.desc()),
  ],
);

export const notificationInbox = defineInboxTable('notification_inbox');
