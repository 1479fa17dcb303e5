import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.ts';

describe('order list cursor', () => {
  it('round-trips', () => {
    const cursor = {
      createdAt: new Date('2026-11-25T08:00:00.123Z'),
      id: '0b6f4f7e-5f43-4a53-9f0e-6f6d2b8a1c11',
    };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('rejects garbage', () => {
    expect(decodeCursor('garbage')).toBeUndefined();
    expect(
      decodeCursor(Buffer.from('not-a-date|0b6f4f7e-5f43-4a53-9f0e-6f6d2b8a1c11').toString('base64url')),
    ).toBeUndefined();
    expect(
      decodeCursor(Buffer.from('2026-11-25T08:00:00Z|x; DROP TABLE').toString('base64url')),
    ).toBeUndefined();
  });
});
