import { describe, expect, it } from 'vitest';
import { parseReplayTarget } from './replay-target.ts';

describe('parseReplayTarget', () => {
  it('parses every form', () => {
    expect(parseReplayTarget('earliest')).toEqual({ kind: 'earliest' });
    expect(parseReplayTarget('latest')).toEqual({ kind: 'latest' });
    expect(parseReplayTarget('2026-11-25T08:00:00Z')).toEqual({
      kind: 'timestamp',
      timestamp: Date.UTC(2026, 10, 25, 8),
    });
    expect(parseReplayTarget('order-events:1:42,order-events:2:0')).toEqual({
      kind: 'offsets',
      offsets: [
        { topic: 'order-events', partition: 1, offset: 42n },
        { topic: 'order-events', partition: 2, offset: 0n },
      ],
    });
  });

  it('explains what is wrong', () => {
    expect(parseReplayTarget('2026-13-45T99:00')).toEqual({
      error: expect.stringMatching(/not a valid ISO-8601/),
    });
    expect(parseReplayTarget('yesterday')).toEqual({
      error: expect.stringMatching(/topic:partition:offset/),
    });
  });
});
