import { describe, expect, it } from 'vitest';
import {
  applyStockRules,
  available,
  type ReservationState,
  type StockCommand,
  type StockLevel,
} from './reserve.ts';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const reserve = (n: number, item: string, quantity: number): StockCommand => ({
  kind: 'reserve',
  orderId: id(n),
  item,
  quantity,
});
const release = (n: number, item: string, quantity: number): StockCommand => ({
  kind: 'release',
  orderId: id(n),
  item,
  quantity,
  cause: 'CANCELLED',
});

describe('applyStockRules', () => {
  it('reserves while stock lasts, then rejects with the amount available', () => {
    const levels = new Map<string, StockLevel>([['Laptop', { onHand: 3, reserved: 0 }]]);
    const effects = applyStockRules(levels, new Map(), [
      reserve(1, 'Laptop', 2),
      reserve(2, 'Laptop', 2),
      reserve(3, 'Laptop', 1),
    ]);
    expect(effects.map((e) => e.kind === 'decided' && e.decision.status)).toEqual([
      'RESERVED',
      'REJECTED',
      'RESERVED',
    ]);
    expect(effects[1]).toMatchObject({
      decision: { reasonCode: 'INSUFFICIENT_STOCK', reason: expect.stringContaining('available 1') },
    });
    expect(levels.get('Laptop')).toEqual({ onHand: 3, reserved: 3 });
  });

  it('rejects unknown items without touching stock', () => {
    const levels = new Map<string, StockLevel>([['Laptop', { onHand: 1, reserved: 0 }]]);
    const [effect] = applyStockRules(levels, new Map(), [reserve(1, 'Unicorn', 1)]);
    expect(effect).toMatchObject({
      kind: 'decided',
      decision: { status: 'REJECTED', reasonCode: 'UNKNOWN_ITEM' },
    });
    expect(levels.get('Laptop')).toEqual({ onHand: 1, reserved: 0 });
  });

  it('releases a reservation once, and the stock serves the next order of the same batch', () => {
    const levels = new Map<string, StockLevel>([['A', { onHand: 2, reserved: 0 }]]);
    const reservations = new Map<string, ReservationState>();
    const effects = applyStockRules(levels, reservations, [
      reserve(1, 'A', 2),
      reserve(2, 'A', 1),
      release(1, 'A', 2),
      release(1, 'A', 2),
      reserve(3, 'A', 2),
      reserve(1, 'A', 2),
    ]);
    expect(effects.map((e) => (e.kind === 'decided' ? e.decision.status : e.kind))).toEqual([
      'RESERVED',
      'REJECTED',
      'released',
      'ignored',
      'RESERVED',
      'ignored',
    ]);
    expect(effects[2]).toMatchObject({ quantity: 2, availableStock: 2 });
    expect(levels.get('A')).toEqual({ onHand: 2, reserved: 2 });
    expect(reservations.get(id(1))?.status).toBe('RELEASED');
  });

  it('gives nothing back for a rejected order', () => {
    const levels = new Map<string, StockLevel>([['A', { onHand: 0, reserved: 0 }]]);
    const effects = applyStockRules(levels, new Map(), [reserve(1, 'A', 1), release(1, 'A', 1)]);
    expect(effects.map((e) => e.kind)).toEqual(['decided', 'ignored']);
    expect(levels.get('A')).toEqual({ onHand: 0, reserved: 0 });
  });

  it('closes an order released before it was decided: its late creation reserves nothing', () => {
    const levels = new Map<string, StockLevel>([['A', { onHand: 5, reserved: 0 }]]);
    const effects = applyStockRules(levels, new Map(), [release(1, 'A', 1), reserve(1, 'A', 1)]);
    expect(effects.map((e) => e.kind)).toEqual(['closed', 'ignored']);
    expect(levels.get('A')).toEqual({ onHand: 5, reserved: 0 });
  });

  it('never goes negative and conserves stock, whatever the order of requests and releases', () => {
    for (let trial = 0; trial < 200; trial++) {
      const onHand = Math.floor(Math.random() * 10);
      const levels = new Map<string, StockLevel>([['A', { onHand, reserved: 0 }]]);
      const reservations = new Map<string, ReservationState>();
      const commands = Array.from({ length: 30 }, (_, i): StockCommand => {
        const n = Math.floor(Math.random() * 12);
        const quantity = 1 + (n % 4);
        return i % 3 === 2 ? release(n, 'A', quantity) : reserve(n, 'A', quantity);
      });
      applyStockRules(levels, reservations, commands);
      const level = levels.get('A') as StockLevel;
      const held = [...reservations.values()]
        .filter((r) => r.status === 'RESERVED')
        .reduce((sum, r) => sum + r.quantity, 0);
      expect(available(level)).toBeGreaterThanOrEqual(0);
      expect(level.reserved).toBe(held);
      expect(level.onHand).toBe(onHand);
    }
  });
});
