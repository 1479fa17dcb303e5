import { defineInboxTable } from '@kafka-poc/outbox';
import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

/**
 * One notification per status an order reaches (original table name): (`order_id`, `status`) is
 * unique, and the id is derived from both (notification-id.ts), so replays and the old and new
 * paths of an upgrade can never store one twice.
 *
 * `source_*` is the event that stored it (its id and where it was read): a rebuild forgets only
 * notifications whose source event it can replay. Rows stored before these columns have none and
 * are never deleted by a rebuild.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey(),
    orderId: uuid('order_id').notNull(),
    status: text('status', { enum: ['CONFIRMED', 'REJECTED', 'CANCELLED', 'EXPIRED'] }).notNull(),
    message: text('message').notNull(),
    deliveryStatus: text('delivery_status', { enum: ['PENDING', 'SENT', 'FAILED'] })
      .notNull()
      .default('PENDING'),
    deliveryAttempts: integer('delivery_attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    sourceEventId: uuid('source_event_id'),
    sourceTopic: text('source_topic'),
    sourcePartition: integer('source_partition'),
    sourceOffset: bigint('source_offset', { mode: 'bigint' }),
  },
  (t) => [
    index('notifications_pending_idx').on(t.nextAttemptAt).where(sql`${t.deliveryStatus} = 'PENDING'`),
    index('notifications_created_idx').on(t.createdAt.desc()),
    unique('notifications_order_status_unique').on(t.orderId, t.status),
  ],
);

export const notificationInbox = defineInboxTable('notification_inbox');
