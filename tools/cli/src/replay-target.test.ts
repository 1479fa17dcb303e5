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
    expect(parseReplayTarget('2026-11-25T09:00+01:00')).toEqual({
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

  it('refuses a time without a zone and shows how to write it', () => {
    expect(parseReplayTarget('2026-12-04T10:00')).toEqual({
      error:
        '"2026-12-04T10:00" has no time zone; write it as UTC (2026-12-04T10:00Z) or with its offset (2026-12-04T10:00+01:00, 2026-12-04T10:00-05:00)',
    });
  });

  it('explains what is wrong', () => {
    expect(parseReplayTarget('2026-13-45T99:00Z')).toEqual({
      error: expect.stringMatching(/not a valid date and time/),
    });
    expect(parseReplayTarget('yesterday')).toEqual({
      error: expect.stringMatching(/topic:partition:offset/),
    });
  });
});
