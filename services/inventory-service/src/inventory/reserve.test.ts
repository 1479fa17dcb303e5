import { describe, expect, it } from 'vitest';
import { decideReservations } from './reserve.ts';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('decideReservations', () => {
  it('reserves while stock lasts, then rejects with the amount available', () => {
    const stock = new Map([['Laptop', 3]]);
    const decisions = decideReservations(stock, [
      { orderId: id(1), item: 'Laptop', quantity: 2 },
      { orderId: id(2), item: 'Laptop', quantity: 2 },
      { orderId: id(3), item: 'Laptop', quantity: 1 },
    ]);
    expect(decisions.map((d) => d.status)).toEqual(['RESERVED', 'REJECTED', 'RESERVED']);
    expect(decisions[1]).toMatchObject({
      reasonCode: 'INSUFFICIENT_STOCK',
      reason: expect.stringContaining('available 1'),
    });
    expect(stock.get('Laptop')).toBe(0);
  });

  it('rejects unknown items without touching stock', () => {
    const stock = new Map([['Laptop', 1]]);
    const [decision] = decideReservations(stock, [{ orderId: id(1), item: 'Unicorn', quantity: 1 }]);
    expect(decision).toMatchObject({ status: 'REJECTED', reasonCode: 'UNKNOWN_ITEM' });
    expect(stock.get('Laptop')).toBe(1);
  });

  it('never goes negative, whatever the order of requests', () => {
    for (let trial = 0; trial < 200; trial++) {
      const stock = new Map([['A', Math.floor(Math.random() * 10)]]);
      const initial = stock.get('A') ?? 0;
      const requests = Array.from({ length: 20 }, (_, i) => ({
        orderId: id(i),
        item: 'A',
        quantity: 1 + Math.floor(Math.random() * 4),
      }));
      const decisions = decideReservations(stock, requests);
      const reserved = decisions.filter((d) => d.status === 'RESERVED').reduce((s, d) => s + d.quantity, 0);
      expect(stock.get('A')).toBeGreaterThanOrEqual(0);
      expect(initial - reserved).toBe(stock.get('A'));
    }
  });
});
