import { describe, expect, it } from 'vitest';
import { readCookie, sessionCookie } from './cookies.ts';

describe('cookies', () => {
  it('reads one cookie among several', () => {
    expect(readCookie('a=1; console_session=abc%2D; b=2', 'console_session')).toBe('abc-');
    expect(readCookie('a=1', 'console_session')).toBeUndefined();
    expect(readCookie(undefined, 'x')).toBeUndefined();
    expect(readCookie('x=%E0%A4%A', 'x')).toBeUndefined();
  });

  it('writes an httpOnly, SameSite=Strict cookie', () => {
    expect(sessionCookie('s', 'v', { maxAgeSeconds: 60, secure: false })).toBe(
      's=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60',
    );
    expect(sessionCookie('s', '', { maxAgeSeconds: 0, secure: true })).toContain('; Secure');
  });
});
