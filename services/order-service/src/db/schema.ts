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
    status: text('status', { enum: ['PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED', 'EXPIRED'] }).notNull(),
    reason: text('reason'),
    idempotencyKey: text('idempotency_key').unique(),
    /** Hash of the request body stored with the key, to refuse the same key with another body. */
    requestHash: text('request_hash'),
    correlationId: text('correlation_id'),
    /** The request key of the cancel that cancelled the order: a retry of that cancel is answered 200 again. */
    cancelKey: text('cancel_key'),
    /**
     * The last status announced on order-events (order.confirmed, …), set in the same statement as
     * the status. NULL on a decided order means no event announced it (decided by a release before
     * status events existed): the announcer emits it (see orders/announcer.ts).
     */
    announcedStatus: text('announced_status'),
    /**
     * The principal that placed the order: the name of the verified API key (`request.principal`).
     * NULL for an order placed without a key (local development, keys not required). A key without
     * the admin scope sees and touches only the orders it owns (orders/visibility.ts).
     */
    owner: text('owner'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    check('orders_quantity_positive', sql`${t.quantity} > 0`),
    index('orders_created_idx').on(t.createdAt.desc(), t.id.desc()),
    index('orders_status_created_idx').on(t.status, t.createdAt.desc(), t.id.desc()),
    /** GET /orders of a key that sees only its own orders: newest first, keyset cursor. */
    index('orders_owner_created_idx').on(t.owner, t.createdAt.desc(), t.id.desc()),
    /** The expiry worker's scan: the oldest PENDING orders first. */
    index('orders_pending_created_idx').on(t.createdAt).where(sql`${t.status} = 'PENDING'`),
    /** The announcer's scan: decided orders no status event announced (empty once caught up). */
    index('orders_unannounced_idx')
      .on(t.updatedAt)
      .where(sql`${t.status} <> 'PENDING' AND ${t.announcedStatus} IS NULL`),
  ],
);

export const orderOutbox = defineOutboxTable('order_outbox');
export const orderInbox = defineInboxTable('order_inbox');
