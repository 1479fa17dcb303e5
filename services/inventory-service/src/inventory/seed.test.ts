import { describe, expect, it } from 'vitest';
import { parseSeed } from './seed.ts';

describe('parseSeed', () => {
  it('parses item=stock pairs', () => {
    expect([...parseSeed('Laptop=50, Phone=100,Gaming Chair=3')]).toEqual([
      ['Laptop', 50],
      ['Phone', 100],
      ['Gaming Chair', 3],
    ]);
  });

  it('refuses malformed entries', () => {
    expect(() => parseSeed('Laptop')).toThrow(/invalid seed entry/);
    expect(() => parseSeed('Laptop=-1')).toThrow(/invalid seed entry/);
  });
});
