import {
  encodeEvent,
  HEADERS,
  type InventoryEvent,
  inventoryRejectedEvent,
  inventoryReleasedEvent,
  inventoryReservedEvent,
  newEnvelope,
  type OrderEvent,
} from '@kafka-poc/contracts';
import { executeWrites, type Transaction } from '@kafka-poc/db';
import { type ConsumedEvent, type OutboxMessage, outboxInsert } from '@kafka-poc/outbox';
import { type SQL, sql } from 'drizzle-orm';
import { inventoryOutbox } from '../db/schema.ts';
import {
  applyStockRules,
  type ReservationState,
  type StockCommand,
  type StockEffect,
  type StockLevel,
} from './reserve.ts';

type Cause = ConsumedEvent<OrderEvent>;

/**
 * Applies a batch of order events in the batch transaction: order.created reserves (or rejects),
 * order.cancelled and order.expired release what the order holds. The orders' reservation rows and
 * the items' stock rows are locked first (stock in sorted item order, so consumers of other
 * partitions wait for each other instead of overselling or deadlocking); the rules run in memory
 * in event order (reserve.ts); then a few statements write stock, reservations, movements and the
 * outbox. order.confirmed and order.rejected change nothing here.
 */
export async function applyOrderEvents(
  tx: Transaction,
  topic: string,
  events: Cause[],
): Promise<StockEffect[]> {
  const commands: { command: StockCommand; cause: Cause }[] = events.flatMap((cause) => {
    const command = toCommand(cause.event);
    return command ? [{ command, cause }] : [];
  });
  if (commands.length === 0) return [];
  const { reservations, levels } = await lockRows(
    tx,
    [...new Set(commands.map((c) => c.command.orderId))],
    [...new Set(commands.map((c) => c.command.item))],
  );
  const before = new Map([...reservations].map(([id, r]) => [id, r.status]));
  const effects = applyStockRules(
    levels,
    reservations,
    commands.map((c) => c.command),
  );
  const written = effects.map((effect, i) => ({ effect, cause: commands[i]?.cause as Cause }));
  // One statement for all writes: they touch different rows, and the movements read only on_hand,
  // which none of them changes.
  await executeWrites(tx, [
    stockUpdate(levels, written),
    ...reservationWrites(reservations, before, written),
    movementsInsert(written),
    outboxInsert(
      inventoryOutbox,
      written.flatMap(({ effect, cause }) => {
        const message = effectMessage(topic, effect, cause);
        return message ? [message] : [];
      }),
    ),
  ]);
  return effects;
}

function toCommand(event: OrderEvent): StockCommand | undefined {
  const { orderId, item, quantity } = event.payload;
  switch (event.type) {
    case 'order.created':
      return { kind: 'reserve', orderId, item, quantity };
    case 'order.cancelled':
      return { kind: 'release', orderId, item, quantity, cause: 'CANCELLED' };
    case 'order.expired':
      return { kind: 'release', orderId, item, quantity, cause: 'EXPIRED' };
    default:
      return undefined;
  }
}

/**
 * Locks, in one statement, the orders' reservation rows (in order_id order) and then the stock rows
 * of their items and of the commands' items (in item order, so consumers of other partitions wait
 * for each other instead of overselling or deadlocking). A CTE with FOR UPDATE is never inlined:
 * `r` is read, and locked, before `s`.
 */
async function lockRows(
  tx: Transaction,
  orderIds: string[],
  items: string[],
): Promise<{ reservations: Map<string, ReservationState>; levels: Map<string, StockLevel> }> {
  const result = await tx.execute<{
    order_id: string | null;
    item: string;
    quantity: number | null;
    status: ReservationState['status'] | null;
    on_hand: number | null;
    reserved: number | null;
  }>(sql`
    WITH r AS (
      SELECT order_id, item, quantity, status FROM reservations
      WHERE order_id = ANY(${sql.param(orderIds)}::uuid[]) ORDER BY order_id FOR UPDATE),
    s AS (
      SELECT item, on_hand, reserved FROM inventory
      WHERE item = ANY(${sql.param(items)}::text[]) OR item IN (SELECT item FROM r)
      ORDER BY item FOR UPDATE)
    SELECT order_id, item, quantity, status, NULL::int AS on_hand, NULL::int AS reserved FROM r
    UNION ALL
    SELECT NULL, item, NULL, NULL, on_hand, reserved FROM s`);
  const reservations = new Map<string, ReservationState>();
  const levels = new Map<string, StockLevel>();
  for (const row of result.rows) {
    if (row.order_id !== null && row.status !== null) {
      reservations.set(row.order_id, { item: row.item, quantity: row.quantity ?? 0, status: row.status });
    } else {
      levels.set(row.item, { onHand: row.on_hand ?? 0, reserved: row.reserved ?? 0 });
    }
  }
  return { reservations, levels };
}

interface Written {
  effect: StockEffect;
  cause: Cause;
}

function stockUpdate(levels: Map<string, StockLevel>, written: Written[]): SQL | undefined {
  const changed = [
    ...new Set(
      written.flatMap(({ effect }) =>
        effect.kind === 'released' || (effect.kind === 'decided' && effect.decision.status === 'RESERVED')
          ? [effect.kind === 'released' ? effect.item : effect.decision.item]
          : [],
      ),
    ),
  ];
  if (changed.length === 0) return undefined;
  const reserved = changed.map((item) => levels.get(item)?.reserved ?? 0);
  return sql`
    UPDATE inventory AS i
    SET reserved = c.reserved, stock = i.on_hand - c.reserved, version = i.version + 1, updated_at = now()
    FROM unnest(${sql.param(changed)}::text[], ${sql.param(reserved)}::int[]) AS c(item, reserved)
    WHERE i.item = c.item`;
}

/** New reservation rows and releases of existing ones (never the same order: see below). */
function reservationWrites(
  reservations: Map<string, ReservationState>,
  before: Map<string, ReservationState['status']>,
  written: Written[],
): (SQL | undefined)[] {
  // New rows: orders decided or closed in this batch, with their final state after the batch.
  const inserts = new Map<
    string,
    { state: ReservationState; reasonCode: string | null; reason: string | null; cause: string | null }
  >();
  const released: { orderId: string; cause: string }[] = [];
  for (const { effect } of written) {
    if (effect.kind === 'decided') {
      const d = effect.decision;
      const state = reservations.get(d.orderId) as ReservationState;
      inserts.set(d.orderId, {
        state,
        reasonCode: d.status === 'REJECTED' ? d.reasonCode : null,
        reason: d.status === 'REJECTED' ? d.reason : null,
        cause: null,
      });
    } else if (effect.kind === 'closed') {
      const state = reservations.get(effect.orderId) as ReservationState;
      inserts.set(effect.orderId, { state, reasonCode: null, reason: null, cause: effect.cause });
    } else if (effect.kind === 'released') {
      const insert = inserts.get(effect.orderId);
      if (insert) insert.cause = effect.cause;
      else if (before.get(effect.orderId) === 'RESERVED')
        released.push({ orderId: effect.orderId, cause: effect.cause });
    }
  }
  const writes: SQL[] = [];
  if (inserts.size > 0) {
    const rows = [...inserts];
    const column = <V>(pick: (r: (typeof rows)[number]) => V): V[] => rows.map(pick);
    writes.push(sql`
      INSERT INTO reservations (order_id, item, quantity, status, reason_code, reason, release_cause, released_at)
      SELECT order_id, item, quantity, status, reason_code, reason, release_cause,
             CASE WHEN release_cause IS NULL THEN NULL ELSE now() END
      FROM unnest(
        ${sql.param(column(([id]) => id))}::uuid[], ${sql.param(column(([, r]) => r.state.item))}::text[],
        ${sql.param(column(([, r]) => r.state.quantity))}::int[], ${sql.param(column(([, r]) => r.state.status))}::text[],
        ${sql.param(column(([, r]) => r.reasonCode))}::text[], ${sql.param(column(([, r]) => r.reason))}::text[],
        ${sql.param(column(([, r]) => r.cause))}::text[])
        AS t(order_id, item, quantity, status, reason_code, reason, release_cause)`);
  }
  if (released.length > 0) {
    writes.push(sql`
      UPDATE reservations AS r SET status = 'RELEASED', release_cause = c.cause, released_at = now()
      FROM unnest(${sql.param(released.map((r) => r.orderId))}::uuid[], ${sql.param(released.map((r) => r.cause))}::text[])
        AS c(order_id, cause)
      WHERE r.order_id = c.order_id AND r.status = 'RESERVED'`);
  }
  return writes;
}

/** One movement per reservation and per release, with the levels right after it (in event order). */
function movementsInsert(written: Written[]): SQL | undefined {
  const rows = written.flatMap(({ effect, cause }) => {
    if (effect.kind === 'decided' && effect.decision.status === 'RESERVED') {
      const d = effect.decision;
      return [
        {
          item: d.item,
          kind: 'reservation',
          delta: d.quantity,
          available: d.remainingStock,
          orderId: d.orderId,
          eventId: cause.event.id,
        },
      ];
    }
    if (effect.kind === 'released') {
      return [
        {
          item: effect.item,
          kind: 'release',
          delta: -effect.quantity,
          available: effect.availableStock,
          orderId: effect.orderId,
          eventId: cause.event.id,
        },
      ];
    }
    return [];
  });
  if (rows.length === 0) return undefined;
  const column = <V>(pick: (r: (typeof rows)[number]) => V): V[] => rows.map(pick);
  // on_hand does not move with reservations: the levels after are on_hand (unchanged) and
  // on_hand − available.
  return sql`
    INSERT INTO stock_movements (item, kind, on_hand_delta, reserved_delta, on_hand, reserved, order_id, event_id)
    SELECT m.item, m.kind, 0, m.delta, i.on_hand, i.on_hand - m.available, m.order_id, m.event_id
    FROM unnest(
      ${sql.param(column((r) => r.item))}::text[], ${sql.param(column((r) => r.kind))}::text[],
      ${sql.param(column((r) => r.delta))}::int[], ${sql.param(column((r) => r.available))}::int[],
      ${sql.param(column((r) => r.orderId))}::uuid[], ${sql.param(column((r) => r.eventId))}::uuid[])
      WITH ORDINALITY AS m(item, kind, delta, available, order_id, event_id, n)
    JOIN inventory i ON i.item = m.item
    ORDER BY m.n`;
}

/** The event an effect announces on inventory-events, carrying on the order's correlation id, trace and acceptance time. */
function effectMessage(topic: string, effect: StockEffect, cause: Cause): OutboxMessage | undefined {
  const correlationId = cause.event.correlationId;
  let event: InventoryEvent;
  let value: string;
  if (effect.kind === 'decided') {
    const d = effect.decision;
    if (d.status === 'RESERVED') {
      const e = newEnvelope('inventory.reserved', 'inventory-service', { ...d }, correlationId);
      [event, value] = [e, encodeEvent(inventoryReservedEvent, e)];
    } else {
      const e = newEnvelope('inventory.rejected', 'inventory-service', { ...d }, correlationId);
      [event, value] = [e, encodeEvent(inventoryRejectedEvent, e)];
    }
  } else if (effect.kind === 'released') {
    const { orderId, item, quantity, cause: why, availableStock } = effect;
    const payload = { orderId, item, quantity, status: 'RELEASED' as const, cause: why, availableStock };
    const e = newEnvelope('inventory.released', 'inventory-service', payload, correlationId);
    [event, value] = [e, encodeEvent(inventoryReleasedEvent, e)];
  } else {
    return undefined;
  }
  const acceptedAt = cause.message.headers[HEADERS.orderAcceptedAt] ?? cause.event.occurredAt;
  return {
    topic,
    key: event.payload.orderId,
    value,
    headers: {
      [HEADERS.eventId]: event.id,
      [HEADERS.eventType]: event.type,
      [HEADERS.contentType]: 'application/json',
      ...(correlationId ? { [HEADERS.correlationId]: correlationId } : {}),
      ...(cause.traceparent ? { [HEADERS.traceparent]: cause.traceparent } : {}),
      [HEADERS.orderAcceptedAt]: acceptedAt,
    },
  };
}
