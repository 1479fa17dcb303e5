import { describe, expect, it } from 'vitest';
import { judgeViolations, recordPosition } from './exactly-once.ts';

describe('exactly-once check', () => {
  it('expects the poison records the demo wrote and nothing else', () => {
    const poisoned = new Set([recordPosition('order-events', 1, '42')]);
    const { problems, expected } = judgeViolations(
      [
        { invariant: 'valid-topics', detail: 'order-events:1@42 invalid JSON' },
        { invariant: 'valid-topics', detail: 'order-events:2@42 invalid JSON' },
        { invariant: 'one-notification', detail: 'order-events:1@42 looks like a position' },
      ],
      poisoned,
    );
    expect(expected).toEqual(['valid-topics: order-events:1@42 invalid JSON']);
    expect(problems).toEqual([
      'valid-topics: order-events:2@42 invalid JSON',
      'one-notification: order-events:1@42 looks like a position',
    ]);
  });

  it('passes nothing through when no poison was written', () => {
    const { problems } = judgeViolations(
      [{ invariant: 'valid-topics', detail: 'order-events:0@0 x' }],
      new Set(),
    );
    expect(problems).toHaveLength(1);
  });
});
