import type { KafkaAdmin } from '@kafka-poc/kafka';
import pg from 'pg';

export interface PipelineFacts {
  orders: { id: string; item: string; quantity: number; status: string }[];
  reservations: { order_id: string; status: string; quantity: number; item: string }[];
  notifications: { order_id: string; status: string }[];
  stock: Map<string, number>;
}

/** Reads what the three services stored, straight from Postgres. */
export async function readFacts(databaseUrl: string): Promise<PipelineFacts> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const orders = await client.query('SELECT id, item, quantity, status FROM orders');
    const reservations = await client.query('SELECT order_id, status, quantity, item FROM reservations');
    const notifications = await client.query('SELECT order_id, status FROM notifications');
    const inventory = await client.query<{ item: string; stock: number }>(
      'SELECT item, stock FROM inventory',
    );
    return {
      orders: orders.rows,
      reservations: reservations.rows,
      notifications: notifications.rows,
      stock: new Map(inventory.rows.map((r) => [r.item, r.stock])),
    };
  } finally {
    await client.end();
  }
}

/**
 * The pipeline's invariants, as a list of violations (empty = all hold): every order final, exactly
 * one decision and one notification per order agreeing with its status, and stock conservation.
 */
export function checkInvariants(
  facts: PipelineFacts,
  initialStock: Map<string, number>,
  acceptedIds: string[],
): string[] {
  const problems: string[] = [];
  const orders = new Map(facts.orders.map((o) => [o.id, o]));
  const decisions = countBy(facts.reservations.map((r) => r.order_id));
  const notes = countBy(facts.notifications.map((n) => n.order_id));
  for (const id of acceptedIds) {
    const order = orders.get(id);
    if (!order) problems.push(`order ${id} answered 201 but is not stored`);
    else if (order.status === 'PENDING') problems.push(`order ${id} is still PENDING`);
    if ((decisions.get(id) ?? 0) !== 1)
      problems.push(`order ${id} has ${decisions.get(id) ?? 0} inventory decisions`);
    if ((notes.get(id) ?? 0) !== 1) problems.push(`order ${id} has ${notes.get(id) ?? 0} notifications`);
  }
  for (const r of facts.reservations) {
    const expected = r.status === 'RESERVED' ? 'CONFIRMED' : 'REJECTED';
    const order = orders.get(r.order_id);
    if (order && order.status !== 'PENDING' && order.status !== expected) {
      problems.push(`order ${r.order_id} is ${order.status} but inventory decided ${r.status}`);
    }
  }
  for (const [item, initial] of initialStock) {
    const reserved = facts.reservations
      .filter((r) => r.item === item && r.status === 'RESERVED')
      .reduce((sum, r) => sum + r.quantity, 0);
    const now = facts.stock.get(item);
    if (now === undefined || now < 0) problems.push(`stock of ${item} is ${now}`);
    else if (initial - reserved !== now)
      problems.push(`stock of ${item}: ${initial} - ${reserved} reserved != ${now}`);
  }
  return problems;
}

/**
 * "No lag left": every partition of each group's topics is committed up to its end. A partition the
 * group never committed counts as lagging by all its records (a consumer that never caught up).
 */
export async function lagProblems(
  admin: KafkaAdmin,
  groups: { groupId: string; topics: string[] }[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const { groupId, topics } of groups) {
    for (const p of await admin.groupLag(groupId, topics)) {
      if (p.lag > 0n) problems.push(`group ${groupId} lags ${p.lag} on ${p.topic}:${p.partition}`);
    }
  }
  return problems;
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}
