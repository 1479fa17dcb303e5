import { defineInboxTable, defineOutboxTable } from '@kafka-poc/outbox';
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * Stock per item (original table name). `on_hand`: units held (initial + adjustments); `reserved`:
 * units held by reservations of orders not cancelled or expired; `stock`: available = on_hand −
 * reserved, kept under its original name so `SELECT * FROM inventory;` and older readers see what
 * can still be ordered. `version` changes with every change of the row (the HTTP ETag). The checks
 * are the last line of defence against overselling.
 */
export const inventory = pgTable(
  'inventory',
  {
    item: text('item').primaryKey(),
    stock: integer('stock').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    onHand: integer('on_hand').notNull(),
    reserved: integer('reserved').notNull().default(0),
    version: bigint('version', { mode: 'number' }).notNull().default(1),
  },
  (t) => [
    check('inventory_stock_not_negative', sql`${t.stock} >= 0`),
    check('inventory_reserved_not_negative', sql`${t.reserved} >= 0`),
    check('inventory_stock_is_available', sql`${t.stock} = ${t.onHand} - ${t.reserved}`),
  ],
);

/** One reservation decision per order (the primary key makes a second one impossible). */
export const reservations = pgTable('reservations', {
  orderId: uuid('order_id').primaryKey(),
  item: text('item').notNull(),
  quantity: integer('quantity').notNull(),
  /** RESERVED → RELEASED (cancelled or expired); REJECTED; CLOSED: closed before any decision. */
  status: text('status', { enum: ['RESERVED', 'REJECTED', 'RELEASED', 'CLOSED'] }).notNull(),
  reasonCode: text('reason_code'),
  reason: text('reason'),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  /** When the stock went back (RELEASED) or the order was closed (CLOSED), and why. */
  releasedAt: timestamp('released_at', { withTimezone: true, precision: 3 }),
  releaseCause: text('release_cause', { enum: ['CANCELLED', 'EXPIRED'] }),
});

/**
 * The audit trail: every change of an item's stock, with the levels after it. Opening stock,
 * adjustments and PUTs (on hand), reservations and releases (reserved, with the order and the event
 * that caused them). Per item, the deltas add up to the row in `inventory`.
 */
export const stockMovements = pgTable(
  'stock_movements',
  {
    id: bigint('id', { mode: 'bigint' }).primaryKey().generatedAlwaysAsIdentity(),
    item: text('item').notNull(),
    kind: text('kind', { enum: ['opening', 'adjustment', 'set', 'reservation', 'release'] }).notNull(),
    onHandDelta: integer('on_hand_delta').notNull(),
    reservedDelta: integer('reserved_delta').notNull(),
    onHand: integer('on_hand').notNull(),
    reserved: integer('reserved').notNull(),
    reason: text('reason'),
    orderId: uuid('order_id'),
    eventId: uuid('event_id'),
    /** Idempotency-Key of the adjustment request (scoped to the caller), unique per item. */
    requestKey: text('request_key'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('stock_movements_item_idx').on(t.item, t.id.desc()),
    /** One reservation and one release per order, ever (a second line behind the reservation row). */
    uniqueIndex('stock_movements_order_kind_idx').on(t.orderId, t.kind),
    uniqueIndex('stock_movements_request_key_idx').on(t.item, t.requestKey),
  ],
);

export const inventoryOutbox = defineOutboxTable('inventory_outbox');
export const inventoryInbox = defineInboxTable('inventory_inbox');
