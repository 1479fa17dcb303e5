import { PRINTABLE_TEXT } from '@kafka-poc/contracts';
import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_SCOPE_SEPARATOR, scopedIdempotencyKey } from './idempotency-key.ts';

describe('scopedIdempotencyKey', () => {
  it('keeps an anonymous key as sent (how keys were stored before scoping)', () => {
    expect(scopedIdempotencyKey(undefined, 'abc')).toBe('abc');
  });

  it('gives each (caller, key) pair its own stored value', () => {
    const pairs: [string | undefined, string][] = [
      [undefined, 'a'],
      ['shop', 'a'],
      ['crm', 'a'],
      ['shop', 'b'],
      ['sho', 'pa'],
      ['shop:x', 'a'],
    ];
    const stored = pairs.map(([caller, key]) => scopedIdempotencyKey(caller, key));
    expect(new Set(stored).size).toBe(pairs.length);
  });

  it('uses a separator that a valid key cannot contain', () => {
    expect(PRINTABLE_TEXT.test(`x${IDEMPOTENCY_SCOPE_SEPARATOR}y`)).toBe(false);
  });
});
