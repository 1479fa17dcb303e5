import { describe, expect, it } from 'vitest';
import { SessionStore } from './sessions.ts';

describe('SessionStore', () => {
  it('creates random sessions that expire after the TTL', () => {
    let now = 1000;
    const store = new SessionStore({ ttlMs: 100, now: () => now });
    const a = store.create();
    const b = store.create();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.isValid(a)).toBe(true);
    now = 1099;
    expect(store.isValid(a)).toBe(true);
    now = 1100;
    expect(store.isValid(a)).toBe(false);
    expect(store.isValid(undefined)).toBe(false);
    expect(store.isValid('forged')).toBe(false);
  });

  it('forgets deleted sessions and bounds how many it keeps', () => {
    const store = new SessionStore({ ttlMs: 1000, maxSessions: 2 });
    const first = store.create();
    const second = store.create();
    store.delete(second);
    expect(store.isValid(second)).toBe(false);
    store.create();
    store.create();
    expect(store.size).toBe(2);
    expect(store.isValid(first)).toBe(false);
  });
});
