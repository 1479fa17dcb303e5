import { describe, expect, it } from 'vitest';
import type { EventLog } from './event-log.ts';
import type { PipelineFacts } from './facts.ts';
import { checkEventInvariants, checkInvariants, INVARIANTS } from './invariants.ts';
import { loadOrder } from './load-generator.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
/** Confirmed, then cancelled: its Laptop came back. */
const C = '00000000-0000-4000-8000-00000000000c';
/** Expired before inventory decided; the late reservation was given back. */
const D = '00000000-0000-4000-8000-00000000000d';

const counts = (entries: [string, number][]) => new Map(entries);

/**
 * Orders made by requests k-0 (1×Laptop, reserved), k-1 (2×Phone, rejected), k-2 (1×Laptop,
 * confirmed then cancelled) and k-3 (1×Laptop, expired, its late reservation released), fully
 * processed, after 5 Laptops were added by an adjustment.
 */
function facts(): PipelineFacts {
  return {
    orders: [
      { id: A, ...loadOrder(0), status: 'CONFIRMED', idempotency_key: 'k-0' },
      { id: B, ...loadOrder(1), status: 'REJECTED', idempotency_key: 'k-1' },
      { id: C, item: 'Laptop', quantity: 1, status: 'CANCELLED', idempotency_key: 'k-2' },
      { id: D, item: 'Laptop', quantity: 1, status: 'EXPIRED', idempotency_key: 'k-3' },
    ],
    reservations: [
      { order_id: A, status: 'RESERVED', quantity: 1, item: 'Laptop', release_cause: null },
      { order_id: B, status: 'REJECTED', quantity: 2, item: 'Phone', release_cause: null },
      { order_id: C, status: 'RELEASED', quantity: 1, item: 'Laptop', release_cause: 'CANCELLED' },
      { order_id: D, status: 'RELEASED', quantity: 1, item: 'Laptop', release_cause: 'EXPIRED' },
    ],
    notifications: [
      { order_id: A, status: 'CONFIRMED', delivery_status: 'SENT' },
      { order_id: B, status: 'REJECTED', delivery_status: 'SENT' },
      { order_id: C, status: 'CONFIRMED', delivery_status: 'SENT' },
      { order_id: C, status: 'CANCELLED', delivery_status: 'SENT' },
      { order_id: D, status: 'EXPIRED', delivery_status: 'SENT' },
    ],
    stock: new Map([
      ['Laptop', 14],
      ['Phone', 1],
    ]),
    levels: new Map([
      ['Laptop', { onHand: 15, reserved: 1 }],
      ['Phone', { onHand: 1, reserved: 0 }],
    ]),
    movements: new Map([
      ['Laptop', { onHand: 15, adjusted: 5, reserved: 1 }],
      ['Phone', { onHand: 1, adjusted: 0, reserved: 0 }],
    ]),
    orderMovements: new Map([
      [A, counts([['reservation', 1]])],
      [
        C,
        counts([
          ['reservation', 1],
          ['release', 1],
        ]),
      ],
      [
        D,
        counts([
          ['reservation', 1],
          ['release', 1],
        ]),
      ],
    ]),
    outbox: {
      orderEventsPerKey: new Map([
        [
          A,
          counts([
            ['order.created', 1],
            ['order.confirmed', 1],
          ]),
        ],
        [
          B,
          counts([
            ['order.created', 1],
            ['order.rejected', 1],
          ]),
        ],
      ]),
      inventoryEventsPerKey: new Map([
        [A, counts([['inventory.reserved', 1]])],
        [B, counts([['inventory.rejected', 1]])],
        [
          C,
          counts([
            ['inventory.reserved', 1],
            ['inventory.released', 1],
          ]),
        ],
      ]),
      unsent: { order: 0, inventory: 0 },
    },
    inbox: {
      inventory: new Set(['ca', 'cb', 'cc', 'cd', 'xc', 'xd']),
      order: new Set(['da', 'db', 'dc', 'dd', 'rc', 'rd']),
      notification: new Set(['sa', 'sb', 'sc', 'xc', 'xd']),
    },
  };
}

function eventLog(): EventLog {
  return {
    created: new Map([
      [A, new Set(['ca'])],
      [B, new Set(['cb'])],
      [C, new Set(['cc'])],
      [D, new Set(['cd'])],
    ]),
    decisions: new Map([
      [A, new Map([['da', 'inventory.reserved']])],
      [B, new Map([['db', 'inventory.rejected']])],
      [C, new Map([['dc', 'inventory.reserved']])],
      [D, new Map([['dd', 'inventory.reserved']])],
    ]),
    statuses: new Map([
      [A, new Map([['sa', 'order.confirmed']])],
      [B, new Map([['sb', 'order.rejected']])],
      [
        C,
        new Map([
          ['sc', 'order.confirmed'],
          ['xc', 'order.cancelled'],
        ]),
      ],
      [D, new Map([['xd', 'order.expired']])],
    ]),
    releases: new Map([
      [C, new Set(['rc'])],
      [D, new Set(['rd'])],
    ]),
    records: { orderEvents: 8, inventoryEvents: 6 },
    copies: { orderEvents: 1, inventoryEvents: 0 },
    invalid: [],
  };
}

const stock = new Map([
  ['Laptop', 10],
  ['Phone', 1],
]);
describe('checkInvariants', () => {
  it('holds for a fully processed history: cancelled, expired, adjusted, an order without a 201 included', () => {
    // B's request timed out, yet its order exists: it must be (and is) final and exactly-once.
    expect(checkInvariants(facts(), stock, [A, C, D])).toEqual([]);
    expect(checkEventInvariants(facts(), eventLog())).toEqual([]);
  });

  it('names a lost 201, an order nobody asked for and one that differs from its request', () => {
    const f = facts();
    f.orders = f.orders.slice(0, 2);
    f.orders[1] = { ...(f.orders[1] as (typeof f.orders)[number]), idempotency_key: 'k-9' };
    const found = checkInvariants(f, stock, {
      accepted: [A, '00000000-0000-4000-8000-0000000000ff'],
      requestedKeys: new Map([['k-0', 2]]),
    });
    expect(found.map((v) => v.invariant).slice(0, 3)).toEqual([
      'accepted-stored',
      'accepted-stored',
      'requested-only',
    ]);
  });

  it('finds a PENDING order, a second decision, a missing notification and lost stock, in list order', () => {
    const f = facts();
    f.orders.push({ id: 'e', item: 'Laptop', quantity: 1, status: 'PENDING', idempotency_key: null });
    f.reservations.push({
      order_id: A,
      status: 'RESERVED',
      quantity: 1,
      item: 'Laptop',
      release_cause: null,
    });
    f.notifications.splice(1, 1);
    const found = checkInvariants(f, stock, [A]);
    expect(found.map((v) => v.invariant)).toEqual([
      'final',
      'one-decision',
      'one-decision',
      'one-notification',
      'stock-conserved',
      'stock-conserved',
    ]);
    expect(found[0]?.detail).toBe('order e is still PENDING');
    expect(found.at(-1)?.detail).toBe(
      "Laptop: available 14 != initial 10 + adjustments 5 - CONFIRMED orders' 2",
    );
  });

  it('finds a cancelled order still holding stock, a second release, a status notified twice, lost on-hand', () => {
    const f = facts();
    const c = f.reservations[2];
    if (c) c.status = 'RESERVED';
    f.orderMovements.get(D)?.set('release', 2);
    f.notifications.push({ order_id: A, status: 'CONFIRMED', delivery_status: 'SENT' });
    f.levels.set('Phone', { onHand: 0, reserved: 0 });
    const found = checkInvariants(f, stock, [A, C, D]).map((v) => `${v.invariant}: ${v.detail}`);
    expect(found).toEqual([
      `one-decision: order ${C} is CANCELLED but its reservation is RESERVED`,
      `one-notification: order ${A} was notified CONFIRMED, CONFIRMED`,
      `released-once: order ${C} (RESERVED) has 1 release movements`,
      `released-once: order ${D} (RELEASED) has 2 release movements`,
      'stock-conserved: Laptop: reserved 1 != reservations held 2',
      'stock-conserved: Phone: on hand 0 != initial 1 + adjustments 0',
      'stock-conserved: Phone: movements add up to 1 on hand/0 reserved, the row says 0/0',
    ]);
  });

  it('finds a second decision event, a second release, a status not notified, a duplicated outbox row and an unsent one', () => {
    const f = facts();
    const log = eventLog();
    log.decisions.get(A)?.set('da2', 'inventory.rejected');
    log.releases.get(C)?.add('rc2');
    f.inbox.order.add('rc2');
    f.notifications = f.notifications.filter((n) => !(n.order_id === C && n.status === 'CONFIRMED'));
    f.inbox.notification.delete('sb');
    f.outbox.orderEventsPerKey.get(B)?.set('order.created', 2);
    f.outbox.unsent.inventory = 3;
    const found = checkEventInvariants(f, log).map((v) => v.invariant);
    expect(found).toEqual([
      'released-once',
      'one-created-event',
      'one-decision-event',
      'one-decision-event',
      'one-status-event',
      'applied-once',
      'applied-once',
      'outboxes-drained',
    ]);
  });

  it('lists every invariant with a description', () => {
    expect(Object.values(INVARIANTS).every((text) => text.length > 10)).toBe(true);
  });
});
