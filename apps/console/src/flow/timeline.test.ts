import { describe, expect, it } from 'vitest';
import { buildTimeline, type TimelineRow } from './timeline.ts';

const t = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms));

const pending: TimelineRow = {
  id: 'o1',
  item: 'Laptop',
  quantity: 2,
  status: 'PENDING',
  reason: null,
  created_at: t(0),
  updated_at: t(0),
  order_event_sent_at: null,
  inventory_processed_at: null,
  inventory_topic: null,
  inventory_partition: null,
  inventory_offset: null,
  reservation_status: null,
  reservation_reason: null,
  reservation_at: null,
  decision_event_type: null,
  decision_sent_at: null,
  order_processed_at: null,
  order_topic: null,
  order_partition: null,
  order_offset: null,
  notification_processed_at: null,
  notification_status: null,
  delivery_status: null,
  delivery_attempts: null,
  last_error: null,
  notification_at: null,
  delivered_at: null,
};

describe('buildTimeline', () => {
  it('shows a fresh order as accepted with every later hop pending', () => {
    const timeline = buildTimeline(pending);
    expect(timeline.hops.map((h) => h.step)).toEqual([
      'accepted',
      'order-events',
      'inventory decision',
      'inventory-events',
      'status change',
      'notification',
      'delivered',
    ]);
    expect(timeline.hops[0]).toMatchObject({ at: '2026-01-01T00:00:00.000Z', sinceAcceptedMs: 0 });
    expect(timeline.hops.slice(1).every((h) => h.at === null)).toBe(true);
    expect(timeline).toMatchObject({ complete: false, elapsedMs: 0 });
  });

  it('times every hop of a confirmed order', () => {
    const timeline = buildTimeline({
      ...pending,
      status: 'CONFIRMED',
      updated_at: t(60),
      order_event_sent_at: t(10),
      inventory_processed_at: t(25),
      inventory_topic: 'order-events',
      inventory_partition: 1,
      inventory_offset: '7',
      reservation_status: 'RESERVED',
      reservation_at: t(25),
      decision_event_type: 'inventory.reserved',
      decision_sent_at: t(40),
      order_processed_at: t(60),
      order_topic: 'inventory-events',
      order_partition: 1,
      order_offset: '3',
      notification_processed_at: t(55),
      notification_status: 'CONFIRMED',
      delivery_status: 'SENT',
      delivery_attempts: 1,
      notification_at: t(55),
      delivered_at: t(70),
    });
    expect(timeline.complete).toBe(true);
    expect(timeline.elapsedMs).toBe(70);
    expect(timeline.hops.map((h) => h.sinceAcceptedMs)).toEqual([0, 10, 25, 40, 60, 55, 70]);
    expect(timeline.hops[2]?.detail).toBe('RESERVED (order-events p1 @7)');
    expect(timeline.hops[4]?.detail).toBe('PENDING → CONFIRMED (inventory-events p1 @3)');
    expect(timeline.hops[6]?.detail).toBe('SENT after 1 attempt(s)');
    expect(timeline.hops[1]?.sincePreviousMs).toBe(10);
    // notification (55) was recorded before status change (60): an overlap, shown as 0.
    expect(timeline.hops[5]?.sincePreviousMs).toBe(0);
  });

  it('explains a rejection', () => {
    const timeline = buildTimeline({
      ...pending,
      status: 'REJECTED',
      reason: 'unknown item',
      reservation_status: 'REJECTED',
      reservation_reason: 'unknown item "Unicorn"',
      reservation_at: t(5),
    });
    expect(timeline.hops[2]?.detail).toBe('REJECTED: unknown item "Unicorn"');
    expect(timeline.hops[4]?.at).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('buildTimeline of a cancelled or expired order', () => {
  const confirmed: TimelineRow = {
    ...pending,
    status: 'CONFIRMED',
    order_event_sent_at: t(10),
    inventory_processed_at: t(20),
    reservation_status: 'RESERVED',
    reservation_at: t(20),
    decision_event_type: 'inventory.reserved',
    decision_sent_at: t(30),
    order_processed_at: t(40),
    status_event_type: 'order.confirmed',
    notification_processed_at: t(50),
    notification_status: 'CONFIRMED',
    delivery_status: 'SENT',
    delivery_attempts: 1,
    notification_at: t(50),
    delivered_at: t(60),
  };

  it('adds the cancel, its event, the stock released and its notification after the decision', () => {
    const timeline = buildTimeline({
      ...confirmed,
      status: 'CANCELLED',
      reason: 'changed my mind',
      updated_at: t(100),
      reservation_status: 'RELEASED',
      closing_event_type: 'order.cancelled',
      closing_at: t(100),
      closing_sent_at: t(110),
      closing_previous_status: 'CONFIRMED',
      released_at: t(120),
      release_event_sent_at: t(130),
      closing_notification_at: t(140),
      closing_delivery_status: 'SENT',
      closing_delivery_attempts: 1,
      closing_delivered_at: t(150),
    });
    expect(timeline.hops.map((h) => h.step)).toEqual([
      'accepted',
      'order-events',
      'inventory decision',
      'inventory-events',
      'status change',
      'notification',
      'delivered',
      'cancelled',
      'order-events',
      'stock released',
      'inventory-events',
      'notification',
      'delivered',
    ]);
    expect(timeline.hops[4]?.detail).toBe('PENDING → CONFIRMED');
    expect(timeline.hops[7]?.detail).toBe(
      'CONFIRMED → CANCELLED: changed my mind, order.cancelled written to the outbox',
    );
    expect(timeline.hops[9]?.detail).toBe('RELEASED: 2 × Laptop back in stock');
    expect(timeline.hops[11]?.detail).toBe('stored: order CANCELLED');
    expect(timeline).toMatchObject({ complete: true, elapsedMs: 150 });
  });

  it('shows a decision that came after the expiry as not applied, with no notification of its own', () => {
    const timeline = buildTimeline({
      ...confirmed,
      status: 'EXPIRED',
      reason: 'no decision within 30 s',
      status_event_type: null,
      notification_processed_at: null,
      notification_status: null,
      delivery_status: null,
      notification_at: null,
      delivered_at: null,
      reservation_status: 'RELEASED',
      closing_event_type: 'order.expired',
      closing_at: t(5),
      closing_sent_at: t(8),
      closing_previous_status: null,
      released_at: t(25),
      release_event_sent_at: t(35),
      closing_notification_at: t(45),
      closing_delivery_status: 'SENT',
      closing_delivery_attempts: 1,
      closing_delivered_at: t(55),
    });
    expect(timeline.hops.map((h) => h.step)).toEqual([
      'accepted',
      'order-events',
      'inventory decision',
      'inventory-events',
      'status change',
      'expired',
      'order-events',
      'stock released',
      'inventory-events',
      'notification',
      'delivered',
    ]);
    expect(timeline.hops[4]?.detail).toBe('decision not applied: the order was EXPIRED first');
    expect(timeline.hops[5]?.detail).toBe(
      'PENDING → EXPIRED: no decision within 30 s, order.expired written to the outbox',
    );
    expect(timeline.complete).toBe(true);
  });
});
