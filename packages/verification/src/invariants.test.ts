import { describe, expect, it } from 'vitest';
import type { EventLog } from './event-log.ts';
import type { PipelineFacts } from './facts.ts';
import { checkEventInvariants, checkInvariants, INVARIANTS } from './invariants.ts';
import { loadOrder } from './load-generator.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

/** Two orders made by requests k-0 (1×Laptop, reserved) and k-1 (2×Phone, rejected), fully processed. */
function facts(): PipelineFacts {
  return {
    orders: [
      { id: A, ...loadOrder(0), status: 'CONFIRMED', idempotency_key: 'k-0' },
      { id: B, ...loadOrder(1), status: 'REJECTED', idempotency_key: 'k-1' },
    ],
    reservations: [
      { order_id: A, status: 'RESERVED', quantity: 1, item: 'Laptop' },
      { order_id: B, status: 'REJECTED', quantity: 2, item: 'Phone' },
    ],
    notifications: [
      { order_id: A, status: 'CONFIRMED', delivery_status: 'SENT' },
      { order_id: B, status: 'REJECTED', delivery_status: 'SENT' },
    ],
    stock: new Map([
      ['Laptop', 9],
      ['Phone', 1],
    ]),
    outbox: {
      orderEventsPerKey: new Map([
        [A, 1],
        [B, 1],
      ]),
      decisionEventsPerKey: new Map([
        [A, 1],
        [B, 1],
      ]),
      unsent: { order: 0, inventory: 0 },
    },
    inbox: {
      inventory: new Set(['ca', 'cb']),
      order: new Set(['da', 'db']),
      notification: new Set(['da', 'db']),
    },
  };
}

function eventLog(): EventLog {
  return {
    created: new Map([
      [A, new Set(['ca'])],
      [B, new Set(['cb'])],
    ]),
    decisions: new Map([
      [A, new Map([['da', 'inventory.reserved']])],
      [B, new Map([['db', 'inventory.rejected']])],
    ]),
    records: { orderEvents: 3, inventoryEvents: 2 },
    copies: { orderEvents: 1, inventoryEvents: 0 },
    invalid: [],
  };
}

const stock = new Map([
  ['Laptop', 10],
  ['Phone', 1],
]);
const history = {
  accepted: [A],
  requestedKeys: new Map([
    ['k-0', 0],
    ['k-1', 1],
  ]),
};

describe('checkInvariants', () => {
  it('holds for a fully processed history, an order without a 201 included', () => {
    // B's request timed out, yet its order exists: it must be (and is) final and exactly-once.
    expect(checkInvariants(facts(), stock, history)).toEqual([]);
    expect(checkEventInvariants(facts(), eventLog())).toEqual([]);
  });

  it('names a lost 201, an order nobody asked for and one that differs from its request', () => {
    const f = facts();
    f.orders[1] = { ...(f.orders[1] as (typeof f.orders)[number]), idempotency_key: 'k-9' };
    const found = checkInvariants(f, stock, {
      accepted: [A, '00000000-0000-4000-8000-0000000000ff'],
      requestedKeys: new Map([['k-0', 2]]),
    });
    expect(found.map((v) => v.invariant)).toEqual(['accepted-stored', 'accepted-stored', 'requested-only']);
  });

  it('finds a PENDING order, a second decision, a missing notification and lost stock, in list order', () => {
    const f = facts();
    f.orders.push({ id: 'c', item: 'Laptop', quantity: 1, status: 'PENDING', idempotency_key: null });
    f.reservations.push({ order_id: A, status: 'RESERVED', quantity: 1, item: 'Laptop' });
    f.notifications.pop();
    const found = checkInvariants(f, stock, [A]);
    expect(found.map((v) => v.invariant)).toEqual([
      'final',
      'one-decision',
      'one-decision',
      'one-notification',
      'one-notification',
      'stock-conserved',
    ]);
    expect(found[0]?.detail).toBe('order c is still PENDING');
    expect(found.at(-1)?.detail).toBe('stock of Laptop: 10 - 2 reserved != 9');
  });

  it('finds a second decision event, an unapplied event, a duplicated outbox row and an unsent one', () => {
    const f = facts();
    const log = eventLog();
    log.decisions.get(A)?.set('da2', 'inventory.rejected');
    f.inbox.notification.delete('db');
    f.outbox.orderEventsPerKey.set(B, 2);
    f.outbox.unsent.inventory = 3;
    const found = checkEventInvariants(f, log).map((v) => v.invariant);
    expect(found).toEqual([
      'one-created-event',
      'one-decision-event',
      'one-decision-event',
      'applied-once',
      'applied-once',
      'applied-once',
      'outboxes-drained',
    ]);
  });

  it('lists every invariant with a description', () => {
    expect(Object.values(INVARIANTS).every((text) => text.length > 10)).toBe(true);
  });
});
