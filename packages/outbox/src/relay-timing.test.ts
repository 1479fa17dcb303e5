import { describe, expect, it } from 'vitest';
import { MIN_TAKEOVER_MS, relayTiming } from './relay-timing.ts';

describe('relayTiming', () => {
  it.each([2000, 3000, 15_000, 30_000, 600_000])('keeps a standby takeover within %i ms', (takeoverMs) => {
    const t = relayTiming(takeoverMs);
    // Silent holder → session ended after I → a standby's next try (S) → its connect: all within T.
    expect(t.idleSessionTimeoutMs + t.standbyRetryMs + t.connectTimeoutMs).toBeLessThanOrEqual(takeoverMs);
    // A healthy holder proves its lock several times per idle timeout, so it never idles out.
    expect(t.heartbeatMs * 3).toBeLessThan(t.idleSessionTimeoutMs);
    // A proof is renewed before the server could have ended the session since it was sent.
    expect(t.freshMs).toBeLessThan(t.idleSessionTimeoutMs);
    expect(t.queryTimeoutMs).toBeLessThan(t.idleSessionTimeoutMs);
    // Server-side keepalives drop a silent peer before the idle timeout would.
    const { idleS, intervalS, count } = t.keepalive;
    expect((idleS + intervalS * count) * 1000).toBeLessThanOrEqual(Math.max(t.idleSessionTimeoutMs, 4000));
    expect(t.tcpUserTimeoutMs).toBeLessThanOrEqual(t.idleSessionTimeoutMs);
  });

  it('caps the standby retry by the takeover bound, and keeps a shorter one', () => {
    expect(relayTiming(5000, 2000).standbyRetryMs).toBe(1000);
    expect(relayTiming(30_000, 2000).standbyRetryMs).toBe(2000);
    expect(relayTiming(30_000, 500).standbyRetryMs).toBe(500);
  });

  it('refuses a takeover bound too short to heartbeat reliably', () => {
    expect(() => relayTiming(MIN_TAKEOVER_MS - 1)).toThrow(RangeError);
    expect(() => relayTiming(Number.NaN)).toThrow(RangeError);
  });
});
