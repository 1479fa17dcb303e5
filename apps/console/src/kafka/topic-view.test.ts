import { describe, expect, it } from 'vitest';
import { TOPIC_NAME, toTopicView } from './topic-view.ts';

describe('toTopicView', () => {
  it('counts messages and under-replicated partitions', () => {
    const view = toTopicView({
      name: 'orders.DLT',
      partitions: [
        {
          partition: 0,
          leader: 1,
          replicas: [1, 2, 3],
          isr: [1, 2, 3],
          earliestOffset: 2n,
          latestOffset: 10n,
        },
        { partition: 1, leader: 2, replicas: [2, 3, 1], isr: [2], earliestOffset: 0n, latestOffset: 1n },
      ],
    });
    expect(view).toMatchObject({
      name: 'orders.DLT',
      partitionCount: 2,
      replicationFactor: 3,
      messages: 9,
      underReplicated: 1,
      internal: false,
      deadLetter: true,
    });
    expect(view.partitions[0]).toMatchObject({ earliestOffset: '2', latestOffset: '10', messages: 8 });
  });

  it('marks internal topics', () => {
    expect(toTopicView({ name: '__consumer_offsets', partitions: [] })).toMatchObject({
      internal: true,
      replicationFactor: 0,
      messages: 0,
    });
  });
});

describe('TOPIC_NAME', () => {
  it('accepts Kafka topic names only', () => {
    expect(TOPIC_NAME.test('order-events.DLT')).toBe(true);
    expect(TOPIC_NAME.test('a b')).toBe(false);
    expect(TOPIC_NAME.test('x'.repeat(250))).toBe(false);
    expect(TOPIC_NAME.test('')).toBe(false);
  });
});
