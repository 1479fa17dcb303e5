import { VIEWS } from '@kafka-poc/contracts';
import { formatApiKeyRecord, generateApiKey } from '@kafka-poc/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { rows } from '../support/lifecycle.ts';
import { TestPipeline } from '../support/pipeline.ts';

// Orders have an owner (the API key that placed them): on the real services with AUTH_REQUIRED, a
// key without the admin scope lists, reads, waits for, streams and cancels only its own orders, and
// another key's order answers 404 exactly as a missing one; an admin key sees and touches every order.

const alice = generateApiKey('alice', ['orders:write', 'read']);
const bob = generateApiKey('bob', ['orders:write', 'read']);
const admin = generateApiKey('ops', ['admin']);
const as = (key: { key: string }, extra: Record<string, string> = {}) => ({ 'x-api-key': key.key, ...extra });
const MISSING = '00000000-0000-4000-8000-000000000000';

let pipeline: TestPipeline;
const orders = () => pipeline.url('order');

beforeAll(async () => {
  pipeline = await TestPipeline.create({
    seed: 'Laptop=50,Phone=50',
    env: {
      AUTH_REQUIRED: '1',
      API_KEYS: [alice, bob, admin].map((k) => formatApiKeyRecord(k.record)).join(','),
      // A stream of an order that stays CONFIRMED ends after this (so a test can read it to its end).
      ORDER_EVENTS_MAX_DURATION: '2s',
    },
  });
  await pipeline.startAll();
});

afterAll(async () => {
  await pipeline?.stop();
});

async function place(key: { key: string }, item: string, extra: Record<string, string> = {}) {
  const response = await request('POST', `${orders()}/orders`, { item, quantity: 1 }, as(key, extra));
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; status: string };
}

/** Waits (as admin) until the order is decided, so later reads see a settled order. */
async function decided(id: string) {
  const response = await request('GET', `${orders()}/orders/${id}?wait=20s`, undefined, as(admin));
  expect(response.status).toBe(200);
  expect(response.body.status).not.toBe('PENDING');
  return response.body;
}

async function listIds(key: { key: string }, query = 'limit=500'): Promise<string[]> {
  const response = await request('GET', `${orders()}/orders?${query}`, undefined, as(key));
  expect(response.status).toBe(200);
  return (response.body.items as { id: string }[]).map((o) => o.id);
}

/** Opens GET /orders/:id/events; a 200 is read to its end (the server closes it), events in order. */
async function stream(key: { key: string }, id: string) {
  const response = await fetch(`${orders()}/orders/${id}/events`, {
    headers: { accept: 'text/event-stream', ...as(key) },
  });
  const text = await response.text();
  const events = text
    .split('\n\n')
    .map((block) => block.split('\n'))
    .filter((lines) => lines.some((l) => l.startsWith('data:')))
    .map((lines) => ({
      event: lines
        .find((l) => l.startsWith('event:'))
        ?.slice(6)
        .trim(),
      data: JSON.parse(
        lines
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n'),
      ),
    }));
  return { status: response.status, contentType: response.headers.get('content-type'), text, events };
}

/** What a 404 looks like apart from the id it names: another owner's order must look exactly like this. */
function shapeOf(response: { status: number; headers: Headers; body: unknown }, id: string) {
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: JSON.parse(JSON.stringify(response.body).replaceAll(id, '<id>')),
  };
}

async function stateOf(id: string) {
  const [order] = await rows<{ status: string; owner: string | null; cancels: number }>(
    pipeline.databaseUrl,
    `SELECT o.status, o.owner, (SELECT count(*)::int FROM ${VIEWS.orderOutbox} e
                                 WHERE e.key = o.id::text AND e.event_type = 'order.cancelled') AS cancels
       FROM ${VIEWS.orders} o WHERE o.id = $1`,
    [id],
  );
  return order;
}

describe('orders have an owner', () => {
  let a: { id: string };
  let b: { id: string };

  beforeAll(async () => {
    a = await place(alice, 'Laptop', { 'idempotency-key': 'same-key' });
    b = await place(bob, 'Phone');
    await Promise.all([decided(a.id), decided(b.id)]);
  });

  it('records the principal that placed the order (published in orders_v1)', async () => {
    expect(await stateOf(a.id)).toMatchObject({ owner: 'alice', status: 'CONFIRMED' });
    expect(await stateOf(b.id)).toMatchObject({ owner: 'bob', status: 'CONFIRMED' });
  });

  it('lists only the caller’s own orders to a non-admin key; an admin key lists every order', async () => {
    const bobs = await listIds(bob);
    expect(bobs).toContain(b.id);
    expect(bobs).not.toContain(a.id);
    expect(await listIds(bob, 'status=CONFIRMED')).not.toContain(a.id);
    const alices = await listIds(alice);
    expect(alices).toContain(a.id);
    expect(alices).not.toContain(b.id);
    const all = await listIds(admin);
    expect(all).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('pages through the caller’s own orders with the cursor, never another’s', async () => {
    const more = [await place(bob, 'Phone'), await place(bob, 'Phone'), await place(alice, 'Phone')];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await request('GET', `${orders()}/orders?${query}`, undefined, as(bob));
      expect(response.status).toBe(200);
      seen.push(...(response.body.items as { id: string }[]).map((o) => o.id));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(new Set(seen)).toEqual(new Set([b.id, more[0]?.id, more[1]?.id]));
  });

  it('answers another key’s order with 404, exactly as a missing one (GET, ?wait=)', async () => {
    const missing = await request('GET', `${orders()}/orders/${MISSING}`, undefined, as(bob));
    expect(missing.status).toBe(404);
    const foreign = await request('GET', `${orders()}/orders/${a.id}`, undefined, as(bob));
    expect(shapeOf(foreign, a.id)).toEqual(shapeOf(missing, MISSING));

    const started = Date.now();
    const waited = await request('GET', `${orders()}/orders/${a.id}?wait=5s`, undefined, as(bob));
    expect(shapeOf(waited, a.id)).toEqual(shapeOf(missing, MISSING));
    expect(Date.now() - started).toBeLessThan(4000); // not waited for: there is nothing to wait for

    // The owner and an admin read it.
    expect((await request('GET', `${orders()}/orders/${a.id}`, undefined, as(alice))).body).toMatchObject({
      id: a.id,
      status: 'CONFIRMED',
    });
    expect((await request('GET', `${orders()}/orders/${a.id}?wait=1s`, undefined, as(alice))).status).toBe(
      200,
    );
    expect((await request('GET', `${orders()}/orders/${a.id}`, undefined, as(admin))).status).toBe(200);
  });

  it('does not stream another key’s order (404, as a missing one); the owner and an admin get its events', async () => {
    const missing = await stream(bob, MISSING);
    const foreign = await stream(bob, a.id);
    expect(foreign.status).toBe(404);
    expect(foreign.contentType).toBe(missing.contentType);
    expect(foreign.text.replaceAll(a.id, '<id>')).toBe(missing.text.replaceAll(MISSING, '<id>'));
    expect(foreign.text).not.toContain('CONFIRMED');

    for (const key of [alice, admin]) {
      const own = await stream(key, a.id);
      expect(own.status).toBe(200);
      expect(own.events[0]).toMatchObject({ event: 'order', data: { id: a.id, status: 'CONFIRMED' } });
      expect(own.events.at(-1)).toEqual({ event: 'end', data: { reason: 'timeout', status: 'CONFIRMED' } });
    }
  });

  it('refuses another key’s cancel with 404 and changes nothing; the owner cancels its own', async () => {
    const missing = await request('POST', `${orders()}/orders/${MISSING}/cancel`, {}, as(bob));
    expect(missing.status).toBe(404);
    for (const extra of [{}, { 'idempotency-key': 'bob-cancel' }] as Record<string, string>[]) {
      const foreign = await request(
        'POST',
        `${orders()}/orders/${a.id}/cancel`,
        { reason: 'not mine' },
        as(bob, extra),
      );
      expect(shapeOf(foreign, a.id)).toEqual(shapeOf(missing, MISSING));
    }
    expect(await stateOf(a.id)).toEqual({ status: 'CONFIRMED', owner: 'alice', cancels: 0 });

    const own = await request('POST', `${orders()}/orders/${a.id}/cancel`, {}, as(alice));
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: a.id, status: 'CANCELLED' });
    expect(await stateOf(a.id)).toEqual({ status: 'CANCELLED', owner: 'alice', cancels: 1 });

    // A cancelled order of another key is still a 404 (a 409 would confirm it exists).
    const again = await request('POST', `${orders()}/orders/${a.id}/cancel`, {}, as(bob));
    expect(shapeOf(again, a.id)).toEqual(shapeOf(missing, MISSING));
  });

  it('lets an admin key cancel any order', async () => {
    const cancelled = await request('POST', `${orders()}/orders/${b.id}/cancel`, {}, as(admin));
    expect(cancelled.status).toBe(200);
    expect(await stateOf(b.id)).toEqual({ status: 'CANCELLED', owner: 'bob', cancels: 1 });
  });

  it('says who sees what in the OpenAPI document', async () => {
    const { body } = await request('GET', `${orders()}/openapi.json`);
    const operations = [
      body.paths['/orders'].get,
      body.paths['/orders/{id}'].get,
      body.paths['/orders/{id}/events'].get,
      body.paths['/orders/{id}/cancel'].post,
    ];
    for (const operation of operations) {
      expect(operation.description).toMatch(
        /without the admin scope sees and touches only the orders it placed/,
      );
    }
    for (const operation of operations.slice(1)) {
      expect(operation.responses['404'].description).toMatch(/that this API key may see/);
    }
  });

  it('keeps Idempotency-Keys per owner: the same key from another key places that key’s own order', async () => {
    const replay = await request(
      'POST',
      `${orders()}/orders`,
      { item: 'Laptop', quantity: 1 },
      as(bob, { 'idempotency-key': 'same-key' }),
    );
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('false');
    expect(replay.body.id).not.toBe(a.id);
    expect((await stateOf(replay.body.id))?.owner).toBe('bob');
    const own = await request(
      'POST',
      `${orders()}/orders`,
      { item: 'Laptop', quantity: 1 },
      as(alice, { 'idempotency-key': 'same-key' }),
    );
    expect(own.headers.get('idempotent-replayed')).toBe('true');
    expect(own.body.id).toBe(a.id);
  });
});
