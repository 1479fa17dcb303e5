import type { IncomingMessage } from '@kafka-poc/kafka';
import { describe, expect, it } from 'vitest';
import { MAX_DISPLAY_BYTES, matchesFilter, newestFirst, oldestFirst, toMessageView } from './message-view.ts';

function message(overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    topic: 't',
    partition: 0,
    offset: 5n,
    key: 'order-1',
    value: Buffer.from('{"a":1}'),
    headers: { 'event-type': 'order.created' },
    timestamp: 1000,
    ...overrides,
  };
}

describe('toMessageView', () => {
  it('shows text values as UTF-8 and offsets as strings', () => {
    expect(toMessageView(message())).toEqual({
      topic: 't',
      partition: 0,
      offset: '5',
      timestamp: 1000,
      key: 'order-1',
      headers: { 'event-type': 'order.created' },
      value: '{"a":1}',
      encoding: 'utf8',
      size: 7,
      truncated: false,
    });
  });

  it('shows binary values as base64 and cuts large ones', () => {
    const binary = toMessageView(message({ value: Buffer.from([0xff, 0xfe, 0x00]), key: undefined }));
    expect(binary).toMatchObject({ value: '//4A', encoding: 'base64', key: null });
    const large = toMessageView(message({ value: Buffer.alloc(MAX_DISPLAY_BYTES + 10, 'x') }));
    expect(large.truncated).toBe(true);
    expect(large.value).toHaveLength(MAX_DISPLAY_BYTES);
    expect(large.size).toBe(MAX_DISPLAY_BYTES + 10);
  });
});

describe('matchesFilter', () => {
  it('matches key substrings and text anywhere, case-insensitively', () => {
    const m = message();
    expect(matchesFilter(m, {})).toBe(true);
    expect(matchesFilter(m, { key: 'ORDER' })).toBe(true);
    expect(matchesFilter(m, { key: 'nope' })).toBe(false);
    expect(matchesFilter(m, { text: '"a":1' })).toBe(true);
    expect(matchesFilter(m, { text: 'CREATED' })).toBe(true);
    expect(matchesFilter(m, { text: 'missing' })).toBe(false);
    expect(matchesFilter(message({ key: undefined }), { key: 'x' })).toBe(false);
  });
});

describe('ordering', () => {
  it('sorts by timestamp, then partition and offset', () => {
    const a = message({ timestamp: 1, partition: 1, offset: 1n });
    const b = message({ timestamp: 2, partition: 0, offset: 9n });
    const c = message({ timestamp: 2, partition: 0, offset: 10n });
    expect([a, b, c].sort(newestFirst)).toEqual([c, b, a]);
    expect([c, b, a].sort(oldestFirst)).toEqual([a, b, c]);
  });
});
