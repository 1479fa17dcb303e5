import {
  encodeEvent,
  HEADERS,
  type InventoryEvent,
  type InventoryItemResponse,
  inventoryRejectedEvent,
  inventoryReservedEvent,
  newEnvelope,
  type OrderCreatedEvent,
} from '@kafka-poc/contracts';
import type { Database, Transaction } from '@kafka-poc/db';
import { appendToOutbox, type ConsumedEvent, type OutboxMessage } from '@kafka-poc/outbox';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { inventory, inventoryOutbox, reservations } from '../db/schema.ts';
import { decideReservations, type ReservationDecision } from './reserve.ts';

/**
 * Decides a batch of orders in the batch transaction. The items' rows are locked in a fixed (sorted)
 * order first, so concurrent consumers on other partitions wait for each other instead of
 * overselling or deadlocking; decisions are then made in memory in event order and written back in
 * a few statements: stock, reservations (one per order, ever) and the outbox.
 */
export async function reserveBatch(
  tx: Transaction,
  topic: string,
  events: ConsumedEvent<OrderCreatedEvent>[],
): Promise<ReservationDecision[]> {
  if (events.length === 0) return [];
  const fresh = await withoutDecidedOrders(tx, events);
  const items = [...new Set(fresh.map(({ event }) => event.payload.item))];
  const locked = await tx
    .select({ item: inventory.item, stock: inventory.stock })
    .from(inventory)
    .where(inArray(inventory.item, items))
    .orderBy(asc(inventory.item))
    .for('update');
  const stock = new Map(locked.map((r) => [r.item, r.stock]));
  const before = new Map(stock);
  const decisions = decideReservations(
    stock,
    fresh.map(({ event }) => ({
      orderId: event.payload.orderId,
      item: event.payload.item,
      quantity: event.payload.quantity,
    })),
  );
  await writeStock(
    tx,
    [...stock].filter(([item, level]) => before.get(item) !== level),
  );
  await writeReservations(tx, decisions);
  await appendToOutbox(
    tx,
    inventoryOutbox,
    decisions.map((d, i) => decisionMessage(topic, d, fresh[i])),
  );
  return decisions;
}

/** An order decided before (e.g. its event re-published by a relay under another id) is not decided again. */
async function withoutDecidedOrders(tx: Transaction, events: ConsumedEvent<OrderCreatedEvent>[]) {
  const ids = events.map(({ event }) => event.payload.orderId);
  const decided = await tx
    .select({ orderId: reservations.orderId })
    .from(reservations)
    .where(inArray(reservations.orderId, ids));
  const seen = new Set(decided.map((r) => r.orderId));
  return events.filter(({ event }) => {
    if (seen.has(event.payload.orderId)) return false;
    seen.add(event.payload.orderId);
    return true;
  });
}

async function writeStock(tx: Transaction, changes: [string, number][]): Promise<void> {
  if (changes.length === 0) return;
  await tx.execute(sql`
    UPDATE ${inventory} AS i SET stock = c.stock, updated_at = now()
    FROM unnest(${sql.param(changes.map((c) => c[0]))}::text[], ${sql.param(changes.map((c) => c[1]))}::int[]) AS c(item, stock)
    WHERE i.item = c.item`);
}

async function writeReservations(tx: Transaction, decisions: ReservationDecision[]): Promise<void> {
  if (decisions.length === 0) return;
  const column = <V>(pick: (d: ReservationDecision) => V): V[] => decisions.map(pick);
  await tx.execute(sql`
    INSERT INTO ${reservations} (order_id, item, quantity, status, reason_code, reason)
    SELECT * FROM unnest(
      ${sql.param(column((d) => d.orderId))}::uuid[], ${sql.param(column((d) => d.item))}::text[],
      ${sql.param(column((d) => d.quantity))}::int[], ${sql.param(column((d) => d.status))}::text[],
      ${sql.param(column((d) => (d.status === 'REJECTED' ? d.reasonCode : null)))}::text[],
      ${sql.param(column((d) => (d.status === 'REJECTED' ? d.reason : null)))}::text[])`);
}

/** The decision event, carrying on the order's correlation id, trace and acceptance time. */
function decisionMessage(
  topic: string,
  decision: ReservationDecision,
  cause: ConsumedEvent<OrderCreatedEvent> | undefined,
): OutboxMessage {
  const correlationId = cause?.event.correlationId;
  const acceptedAt = cause?.message.headers[HEADERS.orderAcceptedAt] ?? cause?.event.occurredAt;
  const event: InventoryEvent =
    decision.status === 'RESERVED'
      ? newEnvelope('inventory.reserved', 'inventory-service', { ...decision }, correlationId)
      : newEnvelope('inventory.rejected', 'inventory-service', { ...decision }, correlationId);
  const value =
    event.type === 'inventory.reserved'
      ? encodeEvent(inventoryReservedEvent, event)
      : encodeEvent(inventoryRejectedEvent, event);
  return {
    topic,
    key: decision.orderId,
    value,
    headers: {
      [HEADERS.eventId]: event.id,
      [HEADERS.eventType]: event.type,
      [HEADERS.contentType]: 'application/json',
      ...(correlationId ? { [HEADERS.correlationId]: correlationId } : {}),
      ...(cause?.traceparent ? { [HEADERS.traceparent]: cause.traceparent } : {}),
      ...(acceptedAt ? { [HEADERS.orderAcceptedAt]: acceptedAt } : {}),
    },
  };
}

export async function listInventory(db: Database): Promise<InventoryItemResponse[]> {
  const rows = await db.select().from(inventory).orderBy(asc(inventory.item));
  return rows.map(toResponse);
}

export async function getInventoryItem(
  db: Database,
  item: string,
): Promise<InventoryItemResponse | undefined> {
  const [row] = await db.select().from(inventory).where(eq(inventory.item, item));
  return row ? toResponse(row) : undefined;
}

/** Sets an item's stock (creating the item if needed). Concurrent reservations wait on the row lock. */
export async function setStock(db: Database, item: string, stock: number): Promise<InventoryItemResponse> {
  const [row] = await db
    .insert(inventory)
    .values({ item, stock })
    .onConflictDoUpdate({ target: inventory.item, set: { stock, updatedAt: sql`now()` } })
    .returning();
  if (!row) throw new Error('upsert returned no row');
  return toResponse(row);
}

/** Inserts seed stock for items that do not exist yet; existing levels are never overwritten. */
export async function seedInventory(db: Database, seed: Map<string, number>): Promise<number> {
  if (seed.size === 0) return 0;
  const rows = await db
    .insert(inventory)
    .values([...seed].map(([item, stock]) => ({ item, stock })))
    .onConflictDoNothing()
    .returning({ item: inventory.item });
  return rows.length;
}

function toResponse(row: typeof inventory.$inferSelect): InventoryItemResponse {
  return { item: row.item, stock: row.stock, updatedAt: row.updatedAt.toISOString() };
}
