import type { IncomingMessage } from '@kafka-poc/kafka';
import { describe, expect, it } from 'vitest';
import { redriveMessage } from './redrive.ts';

const letter: IncomingMessage = {
  topic: 'ns.order-events.DLT',
  partition: 2,
  offset: 7n,
  key: 'k1',
  value: Buffer.from('not json'),
  headers: {
    'event-id': 'e1',
    'dlq-original-topic': 'ns.order-events',
    'dlq-original-partition': '1',
    'dlq-original-offset': '41',
    'dlq-error': 'invalid JSON',
    'dlq-attempts': '1',
    'dlq-consumer-group': 'ns.inventory-service',
    'dlq-failed-at': '2026-01-01T00:00:00.000Z',
  },
  timestamp: 1,
};

describe('redriveMessage', () => {
  it('goes to the original topic with the original key, value and non-dlq headers', () => {
    expect(redriveMessage(letter)).toEqual({
      topic: 'ns.order-events',
      key: 'k1',
      value: letter.value,
      headers: { 'event-id': 'e1', 'dlq-redriven-from': 'ns.order-events.DLT:2:7' },
    });
    const { key: _key, ...keyless } = letter;
    expect(redriveMessage({ ...keyless, key: undefined, headers: {} })).toEqual({
      topic: 'ns.order-events',
      value: letter.value,
      headers: { 'dlq-redriven-from': 'ns.order-events.DLT:2:7' },
    });
  });

  it('never goes into a dead-letter topic', () => {
    const loop = { ...letter, headers: { 'dlq-original-topic': 'ns.order-events.DLT' } };
    expect(redriveMessage(loop).topic).toBe('ns.order-events');
  });
});
