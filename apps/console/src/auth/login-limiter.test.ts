import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter.ts';

describe('LoginLimiter', () => {
  it('refuses a client after too many failures until the window passes', () => {
    let now = 0;
    const limiter = new LoginLimiter({ maxFailures: 3, windowMs: 1000, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterMs('a')).toBe(0);
      limiter.recordFailure('a');
      now += 100;
    }
    expect(limiter.retryAfterMs('a')).toBe(700);
    expect(limiter.retryAfterMs('b')).toBe(0);
    now = 1001;
    expect(limiter.retryAfterMs('a')).toBe(0);
  });

  it('clears a client on success', () => {
    const limiter = new LoginLimiter({ maxFailures: 1, windowMs: 1000 });
    limiter.recordFailure('a');
    expect(limiter.retryAfterMs('a')).toBeGreaterThan(0);
    limiter.recordSuccess('a');
    expect(limiter.retryAfterMs('a')).toBe(0);
  });
});
