import { describe, expect, it } from 'vitest';
import { messageBytes, queuedMessages, splitOffsets, takeSends } from './send-queue.ts';

const call = (n: number, value = 'x') => ({
  messages: Array.from({ length: n }, () => ({ topic: 't', value })),
});
const limits = (maxMessages: number, maxBytes = 1_000_000) => ({ maxMessages, maxBytes });

describe('takeSends', () => {
  it('takes whole calls while they fit', () => {
    const queue = [call(2), call(3), call(4)];
    expect(takeSends(queue, limits(5)).map((c) => c.messages.length)).toEqual([2, 3]);
    expect(queue.map((c) => c.messages.length)).toEqual([4]);
  });

  it('sends an oversized call alone instead of splitting it', () => {
    const queue = [call(7), call(1)];
    expect(takeSends(queue, limits(5)).map((c) => c.messages.length)).toEqual([7]);
    expect(queue).toHaveLength(1);
  });

  it('stops at the byte limit too', () => {
    const queue = [call(1, 'a'.repeat(600)), call(1, 'b'.repeat(600)), call(1, 'c')];
    expect(takeSends(queue, limits(100, 1000))).toHaveLength(1);
    expect(takeSends(queue, limits(100, 1000))).toHaveLength(2);
  });

  it('counts keys, values and headers as UTF-8 bytes', () => {
    expect(messageBytes({ topic: 't', key: 'ké', value: Buffer.alloc(3), headers: { h: 'ü' } })).toBe(
      3 + 3 + 1 + 2,
    );
  });

  it('counts queued messages', () => {
    expect(queuedMessages([call(2), call(3)])).toBe(5);
  });
});

describe('splitOffsets', () => {
  it('hands each call the offsets of its own messages, in order', () => {
    const offsets = [0n, 1n, 2n, 3n, 4n].map((offset) => ({ topic: 't', partition: 0, offset }));
    const parts = splitOffsets([call(2), call(1), call(2)], offsets);
    expect(parts.map((p) => p.map((o) => o.offset))).toEqual([[0n, 1n], [2n], [3n, 4n]]);
  });
});
