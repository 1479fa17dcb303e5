import { describe, expect, it } from 'vitest';
import { uniqueName, waitFor } from './fixtures.ts';

describe('uniqueName', () => {
  it('is a valid topic/group/database name and differs per call', () => {
    const a = uniqueName('Orders.Test-1');
    expect(a).toMatch(/^[a-z_][a-z0-9_]*$/);
    expect(a.startsWith('orders_test_1_')).toBe(true);
    expect(uniqueName('x')).not.toBe(uniqueName('x'));
  });
});

describe('waitFor', () => {
  it('returns the first truthy value', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : 0), { intervalMs: 1 })).resolves.toBe(3);
  });

  it('treats throws as "not yet" and reports the last value on timeout', async () => {
    let n = 0;
    const attempt = () => {
      n += 1;
      if (n === 1) throw new Error('boom');
      return { count: n };
    };
    await expect(
      waitFor(attempt, {
        timeoutMs: 50,
        intervalMs: 5,
        message: 'count to 1000',
        until: (v) => v.count > 1000,
      }),
    ).rejects.toThrow(/count to 1000 not met within 50 ms .*last value: \{ count: \d+ \}/);
  });
});
