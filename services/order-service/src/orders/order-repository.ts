import { createHash, randomUUID } from 'node:crypto';
import type { CreateOrderRequest, OrderResponse, OrderStatus } from '@kafka-poc/contracts';
import type { Database, Transaction } from '@kafka-poc/db';
import { appendToOutbox } from '@kafka-poc/outbox';
import { AppError } from '@kafka-poc/service-kit';
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import { orderOutbox, orders } from '../db/schema.ts';
import type { Cursor } from './cursor.ts';
import { orderCreatedMessage, type TraceContext } from './order-events.ts';

type OrderRow = typeof orders.$inferSelect;

export interface CreateOrderResult {
  order: OrderResponse;
  /** True when an Idempotency-Key matched an earlier request: nothing new was created. */
  replayed: boolean;
}

/**
 * Stores a PENDING order and its order.created event in one transaction (the outbox), so the event
 * is published if and only if the order exists. With an idempotency key, a retried request returns
 * the order created the first time; the same key with another body is refused.
 */
export async function createOrder(
  db: Database,
  topic: string,
  input: CreateOrderRequest,
  options: { idempotencyKey?: string | undefined; trace: TraceContext },
): Promise<CreateOrderResult> {
  const requestHash = options.idempotencyKey ? hashRequest(input) : null;
  return db.transaction(async (tx) => {
    const id = randomUUID();
    const [row] = await tx
      .insert(orders)
      .values({
        id,
        item: input.item,
        quantity: input.quantity,
        status: 'PENDING',
        idempotencyKey: options.idempotencyKey ?? null,
        requestHash,
        correlationId: options.trace.correlationId,
      })
      .onConflictDoNothing({ target: orders.idempotencyKey })
      .returning();
    if (!row) return replay(tx, options.idempotencyKey ?? '', requestHash);
    await appendToOutbox(tx, orderOutbox, [orderCreatedMessage(topic, row, options.trace)]);
    return { order: toResponse(row), replayed: false };
  });
}

async function replay(tx: Transaction, key: string, requestHash: string | null): Promise<CreateOrderResult> {
  const [existing] = await tx.select().from(orders).where(eq(orders.idempotencyKey, key));
  if (!existing)
    throw new AppError('CONFLICT', 'idempotency key in use by a request still in progress', {
      retryable: true,
    });
  if (existing.requestHash !== requestHash) {
    throw new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      'this Idempotency-Key was already used with a different request body',
      {
        fields: [{ field: 'Idempotency-Key', message: 'already used with a different request body' }],
      },
    );
  }
  return { order: toResponse(existing), replayed: true };
}

export async function getOrder(db: Database, id: string): Promise<OrderResponse | undefined> {
  const [row] = await db.select().from(orders).where(eq(orders.id, id));
  return row ? toResponse(row) : undefined;
}

/** Newest first; `cursor` continues after the last order of the previous page. */
export async function listOrders(
  db: Database,
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
    .where(and(status ? eq(orders.status, status) : undefined, after))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toResponse),
    next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : undefined,
  };
}

export interface Decision {
  orderId: string;
  status: 'CONFIRMED' | 'REJECTED';
  reason: string | null;
}

/**
 * Moves PENDING orders to their final status in one statement for the whole batch. An order that is
 * no longer PENDING is left alone, so a replayed decision can never flip a final status.
 * Returns the ids that changed.
 */
export async function applyDecisions(
  tx: Transaction,
  decisions: Decision[],
): Promise<{ id: string; createdAt: Date }[]> {
  if (decisions.length === 0) return [];
  const ids = decisions.map((d) => d.orderId);
  const statuses = decisions.map((d) => d.status);
  const reasons = decisions.map((d) => d.reason);
  const result = await tx.execute<{ id: string; created_at: string }>(sql`
    UPDATE ${orders} AS o
    SET status = d.status, reason = d.reason, updated_at = now()
    FROM unnest(${sql.param(ids)}::uuid[], ${sql.param(statuses)}::text[], ${sql.param(reasons)}::text[]) AS d(id, status, reason)
    WHERE o.id = d.id AND o.status = 'PENDING'
    RETURNING o.id, o.created_at`);
  return result.rows.map((r) => ({ id: r.id, createdAt: new Date(r.created_at) }));
}

function toResponse(row: OrderRow): OrderResponse {
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
