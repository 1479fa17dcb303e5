import {
  type AdjustmentRequest,
  type InventoryItemResponse,
  LIMITS,
  type MovementResponse,
} from '@kafka-poc/contracts';
import type { Database, Transaction } from '@kafka-poc/db';
import { sql } from 'drizzle-orm';

type ItemRow = {
  item: string;
  stock: number;
  on_hand: number;
  reserved: number;
  version: string | number;
  updated_at: string | Date;
};
type MovementRow = {
  id: string;
  item: string;
  kind: MovementResponse['kind'];
  on_hand_delta: number;
  reserved_delta: number;
  on_hand: number;
  reserved: number;
  reason: string | null;
  order_id: string | null;
  event_id: string | null;
  created_at: string | Date;
};

const ITEM_COLUMNS = sql.raw('item, stock, on_hand, reserved, version, updated_at');
const MOVEMENT_COLUMNS = sql.raw(
  'id::text, item, kind, on_hand_delta, reserved_delta, on_hand, reserved, reason, order_id, event_id, created_at',
);

export async function listInventory(db: Database): Promise<InventoryItemResponse[]> {
  const result = await db.execute<ItemRow>(sql`SELECT ${ITEM_COLUMNS} FROM inventory ORDER BY item`);
  return result.rows.map(toItem);
}

export async function getInventoryItem(
  db: Database,
  item: string,
): Promise<InventoryItemResponse | undefined> {
  const result = await db.execute<ItemRow>(sql`SELECT ${ITEM_COLUMNS} FROM inventory WHERE item = ${item}`);
  return result.rows[0] ? toItem(result.rows[0]) : undefined;
}

export type SetStockOutcome =
  | { kind: 'set'; item: InventoryItemResponse; created: boolean }
  | { kind: 'precondition-failed'; current: InventoryItemResponse | undefined };

/**
 * Sets an item's available stock: on hand becomes `stock` + what is reserved, so reservations made
 * meanwhile are never overwritten, and the change is recorded as a `set` movement (`opening` for a
 * new item). With `ifMatch` (a version from the ETag), the write happens only if the item is still
 * at that version; `'*'` only if it exists. Reservations wait on the row lock.
 */
export async function setStock(
  db: Database,
  item: string,
  stock: number,
  ifMatch: number | '*' | undefined,
): Promise<SetStockOutcome> {
  return db.transaction(async (tx) => {
    const current = await lockItem(tx, item);
    if (ifMatch !== undefined && (!current || (ifMatch !== '*' && current.version !== ifMatch))) {
      return { kind: 'precondition-failed', current };
    }
    if (!current) {
      const created = await insertItem(tx, item, stock, 'opening', 'created by PUT');
      return { kind: 'set', item: created, created: true };
    }
    const delta = stock + current.reserved - current.onHand;
    if (delta === 0) return { kind: 'set', item: current, created: false };
    const updated = await changeOnHand(tx, current, delta, {
      kind: 'set',
      reason: 'stock set by PUT',
      requestKey: null,
    });
    return { kind: 'set', item: updated.item, created: false };
  });
}

export type AdjustOutcome =
  | { kind: 'adjusted'; item: InventoryItemResponse; movement: MovementResponse; replayed: boolean }
  | { kind: 'not-found' }
  | { kind: 'below-reserved'; current: InventoryItemResponse }
  | { kind: 'above-maximum'; current: InventoryItemResponse }
  | { kind: 'key-reused' };

/**
 * Adds `delta` to the stock on hand with a movement saying why. Refused when it would leave less on
 * hand than is reserved (available would go negative), or more than LIMITS.stockMax. With an Idempotency-Key (`requestKey`,
 * unique per item), a retry returns the first adjustment's movement and changes nothing.
 */
export async function adjustStock(
  db: Database,
  item: string,
  request: AdjustmentRequest,
  requestKey: string | null,
): Promise<AdjustOutcome> {
  return db.transaction(async (tx) => {
    const current = await lockItem(tx, item);
    if (!current) return { kind: 'not-found' };
    if (requestKey !== null) {
      const earlier = await tx.execute<MovementRow>(sql`
        SELECT ${MOVEMENT_COLUMNS} FROM stock_movements WHERE item = ${item} AND request_key = ${requestKey}`);
      const movement = earlier.rows[0];
      if (movement) {
        const same = movement.on_hand_delta === request.delta && movement.reason === request.reason;
        return same
          ? { kind: 'adjusted', item: current, movement: toMovement(movement), replayed: true }
          : { kind: 'key-reused' };
      }
    }
    if (current.onHand + request.delta < current.reserved) return { kind: 'below-reserved', current };
    // The bound PUT has for the stock, so on hand stays far from the column's integer range.
    if (current.onHand + request.delta > LIMITS.stockMax) return { kind: 'above-maximum', current };
    const updated = await changeOnHand(tx, current, request.delta, {
      kind: 'adjustment',
      reason: request.reason,
      requestKey,
    });
    return { kind: 'adjusted', ...updated, replayed: false };
  });
}

/** Newest first; `cursor` is the id of the last movement of the previous page. */
export async function listMovements(
  db: Database,
  item: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<{ items: MovementResponse[]; nextCursor: string | null }> {
  const after = query.cursor === undefined ? sql`` : sql`AND id < ${query.cursor}::bigint`;
  const result = await db.execute<MovementRow>(sql`
    SELECT ${MOVEMENT_COLUMNS} FROM stock_movements WHERE item = ${item} ${after}
    ORDER BY stock_movements.id DESC LIMIT ${query.limit + 1}`);
  const page = result.rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toMovement),
    nextCursor: result.rows.length > query.limit && last ? last.id : null,
  };
}

/** Inserts seed stock (with its opening movement) for items that do not exist yet; existing levels are never overwritten. */
export async function seedInventory(db: Database, seed: Map<string, number>): Promise<number> {
  if (seed.size === 0) return 0;
  const items = [...seed.keys()];
  const levels = [...seed.values()];
  const result = await db.execute<{ item: string }>(sql`
    WITH created AS (
      INSERT INTO inventory (item, stock, on_hand, reserved)
      SELECT item, level, level, 0 FROM unnest(${sql.param(items)}::text[], ${sql.param(levels)}::int[]) AS s(item, level)
      ON CONFLICT (item) DO NOTHING
      RETURNING item, on_hand)
    , opened AS (
      INSERT INTO stock_movements (item, kind, on_hand_delta, reserved_delta, on_hand, reserved, reason)
      SELECT item, 'opening', on_hand, 0, on_hand, 0, 'seed (INVENTORY_SEED)' FROM created ORDER BY item)
    SELECT item FROM created`);
  return result.rows.length;
}

interface LockedItem extends InventoryItemResponse {}

async function lockItem(tx: Transaction, item: string): Promise<LockedItem | undefined> {
  const result = await tx.execute<ItemRow>(
    sql`SELECT ${ITEM_COLUMNS} FROM inventory WHERE item = ${item} FOR UPDATE`,
  );
  return result.rows[0] ? toItem(result.rows[0]) : undefined;
}

async function insertItem(
  tx: Transaction,
  item: string,
  stock: number,
  kind: 'opening',
  reason: string,
): Promise<InventoryItemResponse> {
  const result = await tx.execute<ItemRow>(sql`
    INSERT INTO inventory (item, stock, on_hand, reserved) VALUES (${item}, ${stock}, ${stock}, 0)
    RETURNING ${ITEM_COLUMNS}`);
  await tx.execute(sql`
    INSERT INTO stock_movements (item, kind, on_hand_delta, reserved_delta, on_hand, reserved, reason)
    VALUES (${item}, ${kind}, ${stock}, 0, ${stock}, 0, ${reason})`);
  return toItem(result.rows[0] as ItemRow);
}

async function changeOnHand(
  tx: Transaction,
  current: LockedItem,
  delta: number,
  movement: { kind: 'set' | 'adjustment'; reason: string; requestKey: string | null },
): Promise<{ item: InventoryItemResponse; movement: MovementResponse }> {
  const updated = await tx.execute<ItemRow>(sql`
    UPDATE inventory SET on_hand = on_hand + ${delta}, stock = on_hand + ${delta} - reserved,
                         version = version + 1, updated_at = now()
    WHERE item = ${current.item} RETURNING ${ITEM_COLUMNS}`);
  const row = updated.rows[0] as ItemRow;
  const inserted = await tx.execute<MovementRow>(sql`
    INSERT INTO stock_movements (item, kind, on_hand_delta, reserved_delta, on_hand, reserved, reason, request_key)
    VALUES (${current.item}, ${movement.kind}, ${delta}, 0, ${row.on_hand}, ${row.reserved}, ${movement.reason}, ${movement.requestKey})
    RETURNING ${MOVEMENT_COLUMNS}`);
  return { item: toItem(row), movement: toMovement(inserted.rows[0] as MovementRow) };
}

function toItem(row: ItemRow): InventoryItemResponse {
  return {
    item: row.item,
    stock: row.stock,
    onHand: row.on_hand,
    reserved: row.reserved,
    available: row.stock,
    version: Number(row.version),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function toMovement(row: MovementRow): MovementResponse {
  return {
    id: row.id,
    item: row.item,
    kind: row.kind,
    onHandDelta: row.on_hand_delta,
    reservedDelta: row.reserved_delta,
    onHand: row.on_hand,
    reserved: row.reserved,
    available: row.on_hand - row.reserved,
    reason: row.reason,
    orderId: row.order_id,
    eventId: row.event_id,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
