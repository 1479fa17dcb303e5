import { describe, expect, it } from 'vitest';
import { KafkaError } from './errors.ts';
import { type PartitionState, partitionLag, planOffsetReset } from './offset-reset-plan.ts';

const states: PartitionState[] = [
  { topic: 't', partition: 0, earliest: 2n, latest: 10n, committed: 7n, atTimestamp: 5n },
  { topic: 't', partition: 1, earliest: 0n, latest: 4n, committed: undefined, atTimestamp: undefined },
];

describe('planOffsetReset', () => {
  it('earliest', () => {
    expect(planOffsetReset(states, { kind: 'earliest' })).toEqual([
      { topic: 't', partition: 0, currentOffset: 7n, newOffset: 2n, toRead: 8n },
      { topic: 't', partition: 1, currentOffset: undefined, newOffset: 0n, toRead: 4n },
    ]);
  });

  it('latest', () => {
    expect(planOffsetReset(states, { kind: 'latest' }).map((e) => [e.newOffset, e.toRead])).toEqual([
      [10n, 0n],
      [4n, 0n],
    ]);
  });

  it('timestamp: the first offset at or after it, else the end of the partition', () => {
    const plan = planOffsetReset(states, { kind: 'timestamp', timestamp: 1 });
    expect(plan.map((e) => [e.newOffset, e.toRead])).toEqual([
      [5n, 5n],
      [4n, 0n],
    ]);
  });

  it('explicit offsets, clamped into the retained range', () => {
    const plan = planOffsetReset(states, {
      kind: 'offsets',
      offsets: [
        { topic: 't', partition: 0, offset: 0n },
        { topic: 't', partition: 1, offset: 3n },
      ],
    });
    expect(plan.map((e) => [e.partition, e.newOffset, e.toRead])).toEqual([
      [0, 2n, 8n],
      [1, 3n, 1n],
    ]);
    const beyond = planOffsetReset(states, {
      kind: 'offsets',
      offsets: [{ topic: 't', partition: 0, offset: 99n }],
    });
    expect(beyond[0]?.newOffset).toBe(10n);
  });

  it('rejects explicit offsets for partitions outside the reset', () => {
    expect(() =>
      planOffsetReset(states, { kind: 'offsets', offsets: [{ topic: 'other', partition: 0, offset: 1n }] }),
    ).toThrow(KafkaError);
  });
});

describe('partitionLag', () => {
  it('counts from the committed offset', () => {
    expect(partitionLag(7n, 2n, 10n)).toBe(3n);
  });

  it('counts from the earliest offset when nothing was committed or the commit fell out of retention', () => {
    expect(partitionLag(undefined, 2n, 10n)).toBe(8n);
    expect(partitionLag(1n, 2n, 10n)).toBe(8n);
  });

  it('is never negative', () => {
    expect(partitionLag(12n, 0n, 10n)).toBe(0n);
  });
});
