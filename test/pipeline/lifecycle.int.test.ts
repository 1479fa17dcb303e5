import { SERVICE_DATA, VIEWS } from '@kafka-poc/contracts';
import { createAdmin, type KafkaAdmin } from '@kafka-poc/kafka';
import { waitFor } from '@kafka-poc/testing';
import { checkInvariants, readFacts } from '@kafka-poc/verification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectsFingerprint } from '../support/fault-checks.ts';
import { request } from '../support/http.ts';
import { pauseConsumer, placeOrder, readEventStream, rows, type SseEvent } from '../support/lifecycle.ts';
import { TestPipeline } from '../support/pipeline.ts';

// The order lifecycle past "placed → reserved → notified", through the real broker and Postgres:
// cancel (before and after the decision, both interleavings forced), idempotency, waiting for the
// outcome, the event stream, stock movements with ETags, and a replay of every group.

const seed = 'Laptop=10,Phone=100,Monitor=3,Widget=5,Gizmo=4';
const initialStock = new Map([
  ['Laptop', 10],
  ['Phone', 100],
  ['Monitor', 3],
  ['Widget', 5],
  ['Gizmo', 4],
]);

let pipeline: TestPipeline;
let admin: KafkaAdmin;
let db: string;
const placed: string[] = [];

beforeAll(async () => {
  pipeline = await TestPipeline.create({ seed, env: { ORDER_DECISION_TIMEOUT: '10m' } });
  db = pipeline.env.DATABASE_URL ?? '';
  await pipeline.startAll();
  admin = createAdmin({ brokers: (pipeline.env.KAFKA_BROKERS ?? '').split(','), clientId: 'lifecycle-test' });
  await admin.start();
});

afterAll(async () => {
  await pipeline?.stop();
  await admin?.stop();
});

const orders = () => pipeline.url('order');
const inventory = () => pipeline.url('inventory');

async function place(item: string, quantity: number) {
  const order = await placeOrder(orders(), item, quantity);
  placed.push(order.id);
  return order;
}

async function status(id: string, until: (status: string) => boolean, message: string) {
  return waitFor(async () => (await request('GET', `${orders()}/orders/${id}`)).body, {
    until: (order) => until(order.status),
    timeoutMs: 30_000,
    message,
  });
}

async function notificationsOf(id: string, count: number): Promise<string[]> {
  const items = await waitFor(
    async () =>
      (await request('GET', `${pipeline.url('notification')}/notifications?orderId=${id}`)).body.items,
    {
      until: (list) => list.length >= count,
      timeoutMs: 30_000,
      message: `${count} notification(s) of ${id}`,
    },
  );
  return items.map((n: { message: string }) => n.message).sort();
}

async function reservation(id: string) {
  const [row] = await rows<{ status: string }>(
    db,
    `SELECT status FROM ${VIEWS.reservations} WHERE order_id = $1`,
    [id],
  );
  return row?.status;
}

async function available(item: string): Promise<number> {
  return (await request('GET', `${inventory()}/inventory/${item}`)).body.available;
}

async function released(id: string) {
  return waitFor(() => reservation(id), {
    until: (s) => s === 'RELEASED' || s === 'REJECTED' || s === 'CLOSED',
    timeoutMs: 30_000,
    message: `reservation of ${id} given back`,
  });
}

async function cancel(id: string, body?: unknown, headers: Record<string, string> = {}) {
  return request('POST', `${orders()}/orders/${id}/cancel`, body, headers);
}

describe('cancel', () => {
  it('cancels a CONFIRMED order: its stock comes back once, and it is notified CONFIRMED then CANCELLED', async () => {
    const before = await available('Laptop');
    const order = await place('Laptop', 3);
    const confirmed = await request('GET', `${orders()}/orders/${order.id}?wait=20s`);
    expect(confirmed.body.status).toBe('CONFIRMED');
    expect(await available('Laptop')).toBe(before - 3);

    const cancelled = await cancel(order.id, { reason: 'changed my mind' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: order.id, status: 'CANCELLED', reason: 'changed my mind' });
    expect(await released(order.id)).toBe('RELEASED');
    expect(await available('Laptop')).toBe(before);
    expect(await notificationsOf(order.id, 2)).toEqual([
      `Order ${order.id} is CANCELLED: changed my mind`,
      `Order ${order.id} is CONFIRMED`,
    ]);
  });

  it('cancel before the decision (inventory-service paused): CANCELLED, nothing stays reserved, never CONFIRMED', async () => {
    const before = await available('Widget');
    const paused = await pauseConsumer(db, `${SERVICE_DATA.inventory.schema}.inventory_inbox`);
    let order: { id: string };
    try {
      order = await place('Widget', 2);
      const cancelled = await cancel(order.id);
      expect(cancelled.body).toMatchObject({ status: 'CANCELLED', reason: null });
    } finally {
      await paused.release();
    }
    // inventory-service sees order.created, then order.cancelled (same key, same partition).
    expect(await released(order.id)).toBe('RELEASED');
    expect(await available('Widget')).toBe(before);
    expect((await request('GET', `${orders()}/orders/${order.id}`)).body.status).toBe('CANCELLED');
    expect(await notificationsOf(order.id, 1)).toEqual([`Order ${order.id} is CANCELLED`]);
    const events = await rows<{ type: string }>(
      db,
      `SELECT event_type AS type FROM ${VIEWS.inventoryOutbox} WHERE key = $1 ORDER BY seq`,
      [order.id],
    );
    expect(events.map((e) => e.type)).toEqual(['inventory.reserved', 'inventory.released']);
  });

  it('cancel after inventory reserved but before order-service applied it: the late decision moves nothing', async () => {
    const before = await available('Widget');
    const paused = await pauseConsumer(db, `${SERVICE_DATA.order.schema}.order_inbox`);
    let order: { id: string };
    try {
      order = await place('Widget', 1);
      await waitFor(() => reservation(order.id), {
        until: (s) => s === 'RESERVED',
        timeoutMs: 30_000,
        message: 'inventory reserved',
      });
      expect((await request('GET', `${orders()}/orders/${order.id}`)).body.status).toBe('PENDING');
      expect((await cancel(order.id)).body.status).toBe('CANCELLED');
    } finally {
      await paused.release();
    }
    expect(await released(order.id)).toBe('RELEASED');
    expect(await available('Widget')).toBe(before);
    // order-service applied inventory.reserved to a CANCELLED order: nothing changed, nothing announced.
    await waitFor(
      async () =>
        (await rows(db, `SELECT 1 FROM ${VIEWS.orderInbox} WHERE event_type = $1`, ['inventory.released']))
          .length,
      { until: (n) => n > 0, timeoutMs: 30_000, message: 'order-service consumed the release' },
    );
    expect((await request('GET', `${orders()}/orders/${order.id}`)).body.status).toBe('CANCELLED');
    expect(await notificationsOf(order.id, 1)).toEqual([`Order ${order.id} is CANCELLED`]);
  });

  it('is idempotent: cancelled twice, released once, notified once; a retry with its Idempotency-Key answers 200 again', async () => {
    const order = await place('Gizmo', 1);
    await status(order.id, (s) => s === 'CONFIRMED', 'confirmed');
    const headers = { 'idempotency-key': `cancel-${order.id}` };
    const first = await cancel(order.id, undefined, headers);
    const retry = await cancel(order.id, undefined, headers);
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBe('false');
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    // Without the key, a second cancel is a conflict that shows the order as it is.
    const again = await cancel(order.id);
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(again.body).toMatchObject({
      code: 'ORDER_NOT_CANCELLABLE',
      order: { id: order.id, status: 'CANCELLED' },
    });
    await released(order.id);
    expect(await notificationsOf(order.id, 2)).toHaveLength(2);
    const moves = await rows<{ kind: string; n: number }>(
      db,
      `SELECT kind, count(*)::int AS n FROM ${VIEWS.stockMovements} WHERE order_id = $1 GROUP BY kind ORDER BY kind`,
      [order.id],
    );
    expect(moves).toEqual([
      { kind: 'release', n: 1 },
      { kind: 'reservation', n: 1 },
    ]);
  });

  it('answers 409 with the current state for a REJECTED order, 404 for an unknown one, 422 for a bad reason', async () => {
    const order = await place('Unicorn', 1);
    await status(order.id, (s) => s === 'REJECTED', 'rejected');
    const refused = await cancel(order.id);
    expect(refused.status).toBe(409);
    expect(refused.body.order).toMatchObject({ status: 'REJECTED', reason: 'unknown item "Unicorn"' });
    expect((await cancel('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const bad = await cancel(order.id, { reason: 'x'.repeat(501) });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('reason');
    expect((await cancel(order.id, { extra: 1 })).status).toBe(422);
  });
});

describe('waiting for the outcome', () => {
  it('GET ?wait returns as soon as the order is decided, and with the order as it is when the wait ends', async () => {
    const paused = await pauseConsumer(db, `${SERVICE_DATA.inventory.schema}.inventory_inbox`);
    let waiting: Promise<Awaited<ReturnType<typeof request>>>;
    let order: { id: string };
    const started = Date.now();
    try {
      order = await place('Phone', 1);
      const short = await request('GET', `${orders()}/orders/${order.id}?wait=500ms`);
      expect(short.status).toBe(200);
      expect(short.body.status).toBe('PENDING');
      waiting = request('GET', `${orders()}/orders/${order.id}?wait=60s`);
      // Not answered while the decision cannot be made.
      const early = await Promise.race([waiting.then(() => 'answered'), sleep(500).then(() => 'waiting')]);
      expect(early).toBe('waiting');
    } finally {
      await paused.release();
    }
    const answer = await waiting;
    expect(answer.body).toMatchObject({ id: order.id, status: 'CONFIRMED' });
    // Woken by the change, not by the end of the wait.
    expect(Date.now() - started).toBeLessThan(60_000);
    // A decided order answers at once.
    expect((await request('GET', `${orders()}/orders/${order.id}?wait=30s`)).body.status).toBe('CONFIRMED');
  });

  it('refuses a wait beyond 60 s or that is not a duration, naming the parameter', async () => {
    const order = await place('Phone', 1);
    for (const wait of ['61s', '2m', 'soon', '-1s']) {
      const response = await request('GET', `${orders()}/orders/${order.id}?wait=${wait}`);
      expect(response.status, wait).toBe(422);
      expect(response.body.errors[0].field, wait).toBe('querystring.wait');
    }
    expect(
      (await request('GET', `${orders()}/orders/00000000-0000-4000-8000-000000000000?wait=1s`)).status,
    ).toBe(404);
  });

  it('streams the status changes as server-sent events and ends with a final event', async () => {
    const paused = await pauseConsumer(db, `${SERVICE_DATA.inventory.schema}.inventory_inbox`);
    const seen: SseEvent[] = [];
    let stream: Promise<SseEvent[]>;
    let order: { id: string };
    try {
      order = await place('Phone', 2);
      stream = readEventStream(`${orders()}/orders/${order.id}/events`, (e) => seen.push(e));
      await waitFor(() => seen.length, { until: (n) => n > 0, message: 'first event' });
    } finally {
      await paused.release();
    }
    await waitFor(() => seen.length, { until: (n) => n > 1, timeoutMs: 30_000, message: 'the decision' });
    expect((await cancel(order.id)).status).toBe(200);
    const events = await stream;
    expect(events.map((e) => `${e.event}:${(e.data as { status: string }).status}`)).toEqual([
      'order:PENDING',
      'order:CONFIRMED',
      'order:CANCELLED',
      'end:CANCELLED',
    ]);
    expect(events.at(-1)?.data).toEqual({ reason: 'final', status: 'CANCELLED' });
    // A final order: its state, the end, closed.
    const again = await readEventStream(`${orders()}/orders/${order.id}/events`);
    expect(again.map((e) => e.event)).toEqual(['order', 'end']);
    expect(
      (await request('GET', `${orders()}/orders/00000000-0000-4000-8000-000000000000/events`)).status,
    ).toBe(404);
  });
});

describe('stock movements', () => {
  it('shows on hand, reserved and available; adjustments and PUT are movements; a stale If-Match gets 412', async () => {
    const item = await request('GET', `${inventory()}/inventory/Monitor`);
    expect(item.body).toMatchObject({ item: 'Monitor', onHand: 3, reserved: 0, available: 3, stock: 3 });
    const etag = item.headers.get('etag');
    expect(etag).toBe(`"${item.body.version}"`);

    const order = await place('Monitor', 2);
    await status(order.id, (s) => s === 'CONFIRMED', 'confirmed');
    const reserved = await request('GET', `${inventory()}/inventory/Monitor`);
    expect(reserved.body).toMatchObject({ onHand: 3, reserved: 2, available: 1 });
    expect(reserved.headers.get('etag')).not.toBe(etag);

    // The console read "3 available" before the reservation: its write must not undo it.
    const stale = await request(
      'PUT',
      `${inventory()}/inventory/Monitor`,
      { stock: 3 },
      { 'if-match': etag ?? '' },
    );
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ code: 'PRECONDITION_FAILED', item: { reserved: 2, available: 1 } });
    const fresh = await request(
      'PUT',
      `${inventory()}/inventory/Monitor`,
      { stock: 4 },
      { 'if-match': reserved.headers.get('etag') ?? '' },
    );
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ onHand: 6, reserved: 2, available: 4 });

    const headers = { 'idempotency-key': 'restock-1' };
    const restock = await request(
      'POST',
      `${inventory()}/inventory/Monitor/adjustments`,
      { delta: 5, reason: 'restock' },
      headers,
    );
    expect(restock.status).toBe(201);
    expect(restock.body.item).toMatchObject({ onHand: 11, reserved: 2, available: 9 });
    expect(restock.body.movement).toMatchObject({
      kind: 'adjustment',
      onHandDelta: 5,
      reason: 'restock',
      onHand: 11,
    });
    const retried = await request(
      'POST',
      `${inventory()}/inventory/Monitor/adjustments`,
      { delta: 5, reason: 'restock' },
      headers,
    );
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.body.movement.id).toBe(restock.body.movement.id);
    const reused = await request(
      'POST',
      `${inventory()}/inventory/Monitor/adjustments`,
      { delta: 6, reason: 'restock' },
      headers,
    );
    expect(reused.status).toBe(422);

    const tooMuch = await request('POST', `${inventory()}/inventory/Monitor/adjustments`, {
      delta: -10,
      reason: 'shrinkage',
    });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body).toMatchObject({ code: 'BELOW_RESERVED', item: { onHand: 11, reserved: 2 } });
    const beyond = await request('POST', `${inventory()}/inventory/Monitor/adjustments`, {
      delta: 1_000_000_000,
      reason: 'typo',
    });
    expect(beyond.status).toBe(409);
    expect(beyond.body).toMatchObject({ code: 'ABOVE_MAXIMUM', item: { onHand: 11 } });
    expect(
      (await request('POST', `${inventory()}/inventory/Monitor/adjustments`, { delta: 0, reason: 'x' }))
        .status,
    ).toBe(422);
    expect(
      (await request('POST', `${inventory()}/inventory/Nothing/adjustments`, { delta: 1, reason: 'x' }))
        .status,
    ).toBe(404);

    expect((await cancel(order.id)).status).toBe(200);
    await released(order.id);
    const movements = await request('GET', `${inventory()}/inventory/Monitor/movements?limit=2`);
    expect(movements.body.items.map((m: { kind: string }) => m.kind)).toEqual(['release', 'adjustment']);
    const rest = await request(
      'GET',
      `${inventory()}/inventory/Monitor/movements?cursor=${movements.body.nextCursor}`,
    );
    expect(rest.body.items.map((m: { kind: string }) => m.kind)).toEqual(['set', 'reservation', 'opening']);
    expect(rest.body.items[1]).toMatchObject({
      orderId: order.id,
      reservedDelta: 2,
      onHand: 3,
      reserved: 2,
      available: 1,
    });
    const all = [...movements.body.items, ...rest.body.items];
    const final = await request('GET', `${inventory()}/inventory/Monitor`);
    expect(final.body).toMatchObject({ onHand: 11, reserved: 0, available: 11 });
    expect(all.reduce((s, m) => s + m.onHandDelta, 0)).toBe(final.body.onHand);
    expect(all.reduce((s, m) => s + m.reservedDelta, 0)).toBe(final.body.reserved);
  });
});

describe('replay', () => {
  it('holds every invariant, and a replay of every group from the earliest offset changes nothing', async () => {
    const facts = await waitFor(() => readFacts(db), {
      until: (f) => f.orders.every((o) => o.status !== 'PENDING') && f.notifications.length >= placed.length,
      timeoutMs: 30_000,
      message: 'everything settled',
    });
    expect(checkInvariants(facts, initialStock, placed)).toEqual([]);
    await waitForLag();
    const before = await effectsFingerprint(db);
    await pipeline.stop();
    const groups = [
      [pipeline.groups.inventory, pipeline.topics.orderEvents],
      [pipeline.groups.order, pipeline.topics.inventoryEvents],
      [pipeline.groups.notification, pipeline.topics.orderEvents],
    ] as const;
    for (const [group, topic] of groups) {
      await waitFor(() => admin.describeGroup(group), {
        until: (g) => g.members.length === 0,
        timeoutMs: 30_000,
      });
      await admin.resetGroupOffsets(group, [topic], { kind: 'earliest' });
    }
    await pipeline.startAll();
    await waitForLag();
    // Every group read everything again, and found it all in its inbox.
    for (const kind of ['inventory', 'order', 'notification'] as const) {
      const metrics = await (await fetch(`${pipeline.url(kind)}/metrics`)).text();
      const duplicates = metrics
        .split('\n')
        .filter((l) => l.startsWith('events_consumed_total') && l.includes('outcome="duplicate"'))
        .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
      expect(duplicates, kind).toBeGreaterThan(0);
    }
    expect(await effectsFingerprint(db)).toEqual(before);
    expect(checkInvariants(await readFacts(db), initialStock, placed)).toEqual([]);
  });
});

async function waitForLag(): Promise<void> {
  const groups = [
    [pipeline.groups.inventory, pipeline.topics.orderEvents],
    [pipeline.groups.order, pipeline.topics.inventoryEvents],
    [pipeline.groups.notification, pipeline.topics.orderEvents],
  ] as const;
  await waitFor(
    async () => {
      const lags = await Promise.all(groups.map(([g, t]) => admin.groupLag(g, [t])));
      const unsent = await rows<{ n: number }>(
        db,
        `SELECT (SELECT count(*) FROM ${VIEWS.orderOutbox} WHERE sent_at IS NULL) + (SELECT count(*) FROM ${VIEWS.inventoryOutbox} WHERE sent_at IS NULL) AS n`,
      );
      return lags.flat().every((p) => p.lag === 0n) && Number(unsent[0]?.n) === 0;
    },
    { until: Boolean, timeoutMs: 60_000, message: 'every group caught up and every outbox sent' },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
