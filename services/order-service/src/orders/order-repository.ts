import { createHash, randomUUID } from 'node:crypto';
import type { CreateOrderRequest, OrderResponse, OrderStatus } from '@kafka-poc/contracts';
import { type Database, toDbError } from '@kafka-poc/db';
import type { OutboxMessage } from '@kafka-poc/outbox';
import { AppError } from '@kafka-poc/service-kit';
import { and, desc, eq, inArray, lt, or } from 'drizzle-orm';
import { orders } from '../db/schema.ts';
import type { Cursor } from './cursor.ts';
import { scopedIdempotencyKey } from './idempotency-key.ts';
import { orderCreatedMessage, type TraceContext } from './order-events.ts';
import { andVisible, type OrderVisibility } from './visibility.ts';

type OrderRow = typeof orders.$inferSelect;

export interface CreateOrderResult {
  order: OrderResponse;
  /** True when an Idempotency-Key matched an earlier request: nothing new was created. */
  replayed: boolean;
}

export interface NewOrder {
  input: CreateOrderRequest;
  idempotencyKey?: string | undefined;
  /**
   * Name of the API key that sent the request; undefined for anonymous callers (no key required).
   * It scopes the Idempotency-Key and becomes the order's owner.
   */
  caller?: string | undefined;
  trace: TraceContext;
}

/**
 * A new order with its identity fixed before the first attempt to store it: the order id, its
 * order.created event (and the event's id) and the caller-scoped key. Every attempt, retry or split
 * writes these same values, so writing twice can never create two orders.
 */
export interface PreparedOrder {
  id: string;
  input: CreateOrderRequest;
  /** The Idempotency-Key scoped to the caller, as stored; null without a key. */
  storedKey: string | null;
  /** The caller (API key name) that owns the order; null for an anonymous caller. */
  owner: string | null;
  requestHash: string | null;
  correlationId: string;
  message: OutboxMessage;
}

export function prepareOrder(topic: string, request: NewOrder): PreparedOrder {
  const id = randomUUID();
  const key = request.idempotencyKey;
  return {
    id,
    input: request.input,
    storedKey: key === undefined ? null : scopedIdempotencyKey(request.caller, key),
    owner: request.caller ?? null,
    requestHash: key === undefined ? null : hashRequest(request.input),
    correlationId: request.trace.correlationId,
    message: orderCreatedMessage(topic, { id, ...request.input, status: 'PENDING' }, request.trace),
  };
}

/**
 * One statement for a whole batch of new orders: the orders and their order.created events go in
 * together (a single statement is atomic, so the outbox guarantee holds without BEGIN/COMMIT), the
 * outbox rows only for orders actually inserted. Any conflict inserts nothing: on the id, the order
 * is there from an earlier attempt of the same request (its commit's answer was lost); on the key,
 * it is an earlier request's order. Rows go in sorted by key, so concurrent batches take the key
 * index's locks in one order and cannot deadlock on crossing keys. Prepared by name, so Postgres
 * parses and plans it once per connection. The caller never puts two requests with one key in a batch.
 */
const insertOrdersSql = {
  name: 'order-service.insert-orders.v3',
  text: `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $10::text[])
    WITH ORDINALITY AS t(id, item, quantity, idempotency_key, request_hash, correlation_id, event, headers, owner, n)
), inserted AS (
  INSERT INTO orders (id, item, quantity, status, idempotency_key, request_hash, correlation_id, owner)
  SELECT id, item, quantity, 'PENDING', idempotency_key, request_hash, correlation_id, owner FROM input
  ORDER BY idempotency_key COLLATE "C" NULLS LAST, id
  ON CONFLICT DO NOTHING
  RETURNING id, created_at, updated_at
), events AS (
  INSERT INTO order_outbox (topic, key, value, headers)
  SELECT $9::text, input.id::text, input.event, input.headers FROM input JOIN inserted USING (id) ORDER BY input.n
)
SELECT id, created_at, updated_at FROM inserted`,
};

/**
 * Stores PENDING orders with their order.created events in the outbox (see insertOrdersSql), and
 * returns one outcome per order, in order: the created order (also when an earlier attempt of this
 * same write committed it), the order an earlier request with the same caller and Idempotency-Key
 * created (same body), or an AppError (same key, other body).
 */
export async function insertOrders(
  db: Database,
  topic: string,
  prepared: PreparedOrder[],
): Promise<(CreateOrderResult | AppError)[]> {
  const column = <V>(pick: (p: PreparedOrder) => V): V[] => prepared.map(pick);
  let inserted: Map<string, { created_at: Date; updated_at: Date }>;
  try {
    const result = await db.$client.query<{ id: string; created_at: Date; updated_at: Date }>({
      ...insertOrdersSql,
      values: [
        column((p) => p.id),
        column((p) => p.input.item),
        column((p) => p.input.quantity),
        column((p) => p.storedKey),
        column((p) => p.requestHash),
        column((p) => p.correlationId),
        column((p) => p.message.value),
        column((p) => JSON.stringify(p.message.headers)),
        topic,
        column((p) => p.owner),
      ],
    });
    inserted = new Map(result.rows.map((row) => [row.id, row]));
  } catch (error) {
    throw toDbError(error, 'insert orders');
  }
  const conflicted = prepared.filter((p) => !inserted.has(p.id));
  const stored = conflicted.length > 0 ? await storedOrders(db, conflicted) : undefined;
  return prepared.map((p) => {
    const row = inserted.get(p.id);
    if (row) {
      const { item, quantity } = p.input;
      const order = { id: p.id, item, quantity, status: 'PENDING' as const, reason: null };
      return {
        order: { ...order, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString() },
        replayed: false,
      };
    }
    // Committed by an earlier attempt of this very write: it is this request's order, not a replay.
    const own = stored?.byId.get(p.id);
    if (own) return { order: toResponse(own), replayed: false };
    return replay(p.storedKey === null ? undefined : stored?.byKey.get(p.storedKey), p.requestHash);
  });
}

/** The rows that made these orders conflict: their own (by id) or an earlier request's (by stored key). */
async function storedOrders(db: Database, conflicted: PreparedOrder[]) {
  const ids = conflicted.map((p) => p.id);
  const keys = conflicted.flatMap((p) => (p.storedKey === null ? [] : [p.storedKey]));
  try {
    const rows = await db
      .select()
      .from(orders)
      .where(or(inArray(orders.id, ids), keys.length > 0 ? inArray(orders.idempotencyKey, keys) : undefined));
    return {
      byId: new Map(rows.map((row) => [row.id, row])),
      byKey: new Map(rows.flatMap((row) => (row.idempotencyKey === null ? [] : [[row.idempotencyKey, row]]))),
    };
  } catch (error) {
    throw toDbError(error, 'read conflicting orders');
  }
}

function replay(existing: OrderRow | undefined, requestHash: string | null): CreateOrderResult | AppError {
  if (!existing)
    return new AppError('CONFLICT', 'idempotency key in use by a request still in progress', {
      retryable: true,
    });
  if (existing.requestHash !== requestHash) {
    return new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      'this Idempotency-Key was already used with a different request body',
      {
        fields: [{ field: 'Idempotency-Key', message: 'already used with a different request body' }],
      },
    );
  }
  return { order: toResponse(existing), replayed: true };
}

/** The order, if it exists and is visible (another owner's order is undefined, as a missing one). */
export async function getOrder(
  db: Database,
  id: string,
  visibility: OrderVisibility,
): Promise<OrderResponse | undefined> {
  const [row] = await db
    .select()
    .from(orders)
    .where(andVisible(visibility, eq(orders.id, id)));
  return row ? toResponse(row) : undefined;
}

/** Newest first, only the visible orders; `cursor` continues after the last order of the previous page. */
export async function listOrders(
  db: Database,
  visibility: OrderVisibility,
  query: { status?: OrderStatus | undefined; limit: number; cursor?: Cursor | undefined },
): Promise<{ items: OrderResponse[]; next: Cursor | undefined }> {
  const { status, limit, cursor } = query;
  const after = cursor
    ? or(
        lt(orders.createdAt, cursor.createdAt),
        and(eq(orders.createdAt, cursor.createdAt), lt(orders.id, cursor.id)),
      )
    : undefined;
  const rows = await db
    .select()
    .from(orders)
    .where(andVisible(visibility, and(status ? eq(orders.status, status) : undefined, after)))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toResponse),
    next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : undefined,
  };
}

/**
 * The orders among `ids` (for waiters woken by status changes). Not filtered by owner: a waiter
 * subscribes only to an order it was allowed to read (getOrder), and an order's owner never changes.
 */
export async function getOrders(db: Database, ids: string[]): Promise<OrderResponse[]> {
  if (ids.length === 0) return [];
  const rows = await db.select().from(orders).where(inArray(orders.id, ids));
  return rows.map(toResponse);
}

export function toResponse(row: OrderRow): OrderResponse {
  return {
    id: row.id,
    item: row.item,
    quantity: row.quantity,
    status: row.status,
    reason: row.reason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function hashRequest(input: CreateOrderRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([input.item, input.quantity]))
    .digest('hex');
}
