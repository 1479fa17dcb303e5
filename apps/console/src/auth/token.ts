import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares a presented token with the configured one in constant time (hashing equalizes lengths). */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
