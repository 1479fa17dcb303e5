import { describe, expect, it } from 'vitest';
import { formatCursor, parseCursor } from './audit-reader.ts';

describe('audit cursor', () => {
  it('round-trips partitions and offsets, ignoring garbage', () => {
    const cursor = new Map([
      [1, 45n],
      [0, 123n],
    ]);
    expect(formatCursor(cursor)).toBe('0:123,1:45');
    expect(parseCursor('0:123,1:45')).toEqual(
      new Map([
        [0, 123n],
        [1, 45n],
      ]),
    );
    expect(parseCursor('x,2:-1,3:7')).toEqual(new Map([[3, 7n]]));
    expect(parseCursor(undefined)).toEqual(new Map());
  });
});
