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
    expect(decodeCursor('not-a-date.0b6f4f7e-5f43-4a53-9f0e-6f6d2b8a1c11')).toBeUndefined();
    expect(decodeCursor('1764057600123.x; DROP TABLE')).toBeUndefined();
    // Beyond 13 digits (year 2286) a date may not survive the round trip through PostgreSQL.
    expect(decodeCursor('99999999999999.0b6f4f7e-5f43-4a53-9f0e-6f6d2b8a1c11')).toBeUndefined();
  });

  it('decodes every value of the published format', () => {
    expect(decodeCursor('0.0B6F4F7E-5F43-4A53-9F0E-6F6D2B8A1C11')).toEqual({
      createdAt: new Date(0),
      id: '0b6f4f7e-5f43-4a53-9f0e-6f6d2b8a1c11',
    });
    expect(decodeCursor('9999999999999.00000000-0000-0000-0000-000000000000')?.createdAt.getTime()).toBe(
      9999999999999,
    );
  });
});
