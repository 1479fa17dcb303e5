import type { IncomingMessage } from '@kafka-poc/kafka';
import { describe, expect, it } from 'vitest';
import { deadLetterInfo } from './dead-letters.ts';

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

describe('dead letters', () => {
  it('reads the error headers', () => {
    expect(deadLetterInfo(letter)).toEqual({
      originalTopic: 'ns.order-events',
      originalPartition: 1,
      originalOffset: '41',
      error: 'invalid JSON',
      attempts: 1,
      consumerGroup: 'ns.inventory-service',
      failedAt: '2026-01-01T00:00:00.000Z',
      redrivenFrom: null,
    });
    expect(deadLetterInfo({ ...letter, headers: {} })).toMatchObject({
      originalTopic: 'ns.order-events',
      originalPartition: null,
      error: null,
    });
  });
});
