import { describe, expect, it } from 'vitest';
import { etagOf, parseIfMatch } from './etag.ts';

describe('ETag and If-Match', () => {
  it('round-trips a version', () => {
    const tag = etagOf({
      item: 'A',
      stock: 1,
      onHand: 1,
      reserved: 0,
      available: 1,
      version: 42,
      updatedAt: '',
    });
    expect(tag).toBe('"42"');
    expect(parseIfMatch(tag)).toBe(42);
  });

  it('reads *, and never matches a weak or malformed tag', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('*')).toBe('*');
    expect(parseIfMatch('W/"42"')).toBe(-1);
    expect(parseIfMatch('42')).toBe(-1);
    expect(parseIfMatch('"7", "8"')).toBe(7);
  });
});
