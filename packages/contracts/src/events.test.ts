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

  it('rejects unknown event types and unknown fields', () => {
    const unknownType = { ...newEnvelope('order.deleted', 'x', { orderId }) };
    expect(decodeEvent(orderEvent, JSON.stringify(unknownType)).ok).toBe(false);
    const extra = {
      ...newEnvelope('order.created', 'x', { orderId, item: 'A', quantity: 1, status: 'PENDING' }),
      x: 1,
    };
    expect(decodeEvent(orderEvent, JSON.stringify(extra)).ok).toBe(false);
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
