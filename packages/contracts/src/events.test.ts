import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent, newEnvelope } from './codec.ts';
import { inventoryEvent, orderCreatedEvent, orderEvent } from './events.ts';

const orderId = '0b6f4f7e-5f43-4a53-9f0e-6f6d2b8a1c11';

describe('event codec', () => {
  it('round-trips an order.created event', () => {
    const event = newEnvelope('order.created', 'order-service', {
      orderId,
      item: 'Laptop',
      quantity: 1,
      status: 'PENDING' as const,
    });
    const decoded = decodeEvent(orderEvent, encodeEvent(orderCreatedEvent, event));
    expect(decoded).toEqual({ ok: true, event });
  });

  it('reports invalid JSON without throwing', () => {
    const decoded = decodeEvent(orderEvent, Buffer.from('{not json'));
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.error).toMatch(/invalid JSON/);
  });

  it('reports schema violations with the failing field', () => {
    const bad = {
      ...newEnvelope('order.created', 'x', { orderId, item: 'Laptop', quantity: 0, status: 'PENDING' }),
    };
    const decoded = decodeEvent(orderEvent, JSON.stringify(bad));
    expect(!decoded.ok && decoded.error).toMatch(/payload\.quantity/);
  });

  it('reads an event of a newer minor version: extra fields are dropped at every level', () => {
    const event = newEnvelope('order.created', 'order-service', {
      orderId,
      item: 'Laptop',
      quantity: 1,
      status: 'PENDING' as const,
    });
    const future = {
      ...event,
      minor: 3,
      tenant: 'eu-1',
      payload: { ...event.payload, giftWrap: true, lines: [{ sku: 'L-1' }] },
    };
    const decoded = decodeEvent(orderEvent, JSON.stringify(future));
    expect(decoded).toEqual({ ok: true, event: { ...event, minor: 3 } });
  });

  it('keeps producers strict: encoding an unknown field is a bug', () => {
    const event = newEnvelope('order.created', 'order-service', {
      orderId,
      item: 'Laptop',
      quantity: 1,
      status: 'PENDING' as const,
    });
    expect(() => encodeEvent(orderCreatedEvent, { ...event, extra: 1 } as typeof event)).toThrow();
  });

  it('tells an event of another major version or an unknown type (parked) from a malformed one', () => {
    const v1 = newEnvelope('order.created', 'x', { orderId, item: 'A', quantity: 1, status: 'PENDING' });
    const v2 = decodeEvent(orderEvent, JSON.stringify({ ...v1, version: 2, payload: { lines: [] } }));
    expect(v2).toMatchObject({ ok: false, reason: 'unsupported' });
    expect(!v2.ok && v2.error).toMatch(
      /unsupported version 2 of order\.created \(this consumer reads version 1\)/,
    );
    const unknownType = decodeEvent(
      orderEvent,
      JSON.stringify(newEnvelope('order.deleted', 'x', { orderId })),
    );
    expect(unknownType).toMatchObject({ ok: false, reason: 'unsupported' });
    expect(!unknownType.ok && unknownType.error).toMatch(/unknown event type order\.deleted/);
    // Not enough of an envelope to be anyone's event: malformed.
    for (const bad of [
      { ...v1, version: '2' },
      { ...v1, version: 2, id: 'not-a-uuid' },
      { type: 'order.created', version: 2, payload: {} },
      { ...v1, payload: { ...v1.payload, quantity: 0 } },
    ]) {
      expect(decodeEvent(orderEvent, JSON.stringify(bad)), JSON.stringify(bad)).toMatchObject({
        ok: false,
        reason: 'malformed',
      });
    }
  });

  it('accepts both inventory outcomes', () => {
    const reserved = newEnvelope('inventory.reserved', 'inventory-service', {
      orderId,
      item: 'Laptop',
      quantity: 2,
      status: 'RESERVED' as const,
      remainingStock: 3,
    });
    const rejected = newEnvelope('inventory.rejected', 'inventory-service', {
      orderId,
      item: 'Unicorn',
      quantity: 1,
      status: 'REJECTED' as const,
      reasonCode: 'UNKNOWN_ITEM' as const,
      reason: 'unknown item "Unicorn"',
    });
    expect(decodeEvent(inventoryEvent, JSON.stringify(reserved)).ok).toBe(true);
    expect(decodeEvent(inventoryEvent, JSON.stringify(rejected)).ok).toBe(true);
  });
});
