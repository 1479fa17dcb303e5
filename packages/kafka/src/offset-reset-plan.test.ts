import { describe, expect, it } from 'vitest';
import { KafkaError } from './errors.ts';
import {
  OffsetResetSkipsError,
  type PartitionState,
  partitionLag,
  planOffsetReset,
  refuseSkips,
} from './offset-reset-plan.ts';

const states: PartitionState[] = [
  { topic: 't', partition: 0, earliest: 2n, latest: 10n, committed: 7n, atTimestamp: 5n },
  { topic: 't', partition: 1, earliest: 0n, latest: 4n, committed: undefined, atTimestamp: undefined },
];

describe('planOffsetReset', () => {
  it('earliest', () => {
    expect(planOffsetReset(states, { kind: 'earliest' })).toEqual([
      { topic: 't', partition: 0, currentOffset: 7n, newOffset: 2n, toRead: 8n, reRead: 5n, skipped: 0n },
      {
        topic: 't',
        partition: 1,
        currentOffset: undefined,
        newOffset: 0n,
        toRead: 4n,
        reRead: 0n,
        skipped: 0n,
      },
    ]);
  });

  it('latest skips what the group has not consumed yet, from the earliest offset when it never committed', () => {
    const plan = planOffsetReset(states, { kind: 'latest' });
    expect(plan.map((e) => [e.newOffset, e.toRead, e.reRead, e.skipped])).toEqual([
      [10n, 0n, 0n, 3n],
      [4n, 0n, 0n, 4n],
    ]);
  });

  it('timestamp: the first offset at or after it, else the end of the partition', () => {
    const plan = planOffsetReset(states, { kind: 'timestamp', timestamp: 1 });
    expect(plan.map((e) => [e.newOffset, e.toRead, e.reRead, e.skipped])).toEqual([
      [5n, 5n, 2n, 0n],
      [4n, 0n, 0n, 4n],
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
    expect(plan.map((e) => [e.partition, e.newOffset, e.toRead, e.reRead, e.skipped])).toEqual([
      [0, 2n, 8n, 5n, 0n],
      [1, 3n, 1n, 0n, 3n],
    ]);
    const beyond = planOffsetReset(states, {
      kind: 'offsets',
      offsets: [{ topic: 't', partition: 0, offset: 99n }],
    });
    expect(beyond[0]?.newOffset).toBe(10n);
  });

  it('counts from the retained range when the commit fell out of it or lies beyond its end', () => {
    const expired: PartitionState = { topic: 't', partition: 0, earliest: 5n, latest: 10n, committed: 1n };
    const [toEarliest] = planOffsetReset([expired], { kind: 'earliest' });
    expect([toEarliest?.reRead, toEarliest?.skipped]).toEqual([0n, 0n]);
    const [forward] = planOffsetReset([expired], {
      kind: 'offsets',
      offsets: [{ topic: 't', partition: 0, offset: 7n }],
    });
    expect([forward?.reRead, forward?.skipped]).toEqual([0n, 2n]);
    const beyond: PartitionState = { topic: 't', partition: 0, earliest: 0n, latest: 10n, committed: 12n };
    const [back] = planOffsetReset([beyond], { kind: 'earliest' });
    expect([back?.reRead, back?.skipped]).toEqual([10n, 0n]);
  });

  it('an offset equal to the committed one neither re-reads nor skips', () => {
    const [same] = planOffsetReset(states, {
      kind: 'offsets',
      offsets: [{ topic: 't', partition: 0, offset: 7n }],
    });
    expect([same?.reRead, same?.skipped, same?.toRead]).toEqual([0n, 0n, 3n]);
  });

  it('rejects explicit offsets for partitions outside the reset', () => {
    expect(() =>
      planOffsetReset(states, { kind: 'offsets', offsets: [{ topic: 'other', partition: 0, offset: 1n }] }),
    ).toThrow(KafkaError);
  });
});

describe('refuseSkips', () => {
  it('passes a plan that only rewinds', () => {
    expect(() => refuseSkips('g', planOffsetReset(states, { kind: 'earliest' }))).not.toThrow();
  });

  it('names every partition that would skip and how many records', () => {
    const error = (() => {
      try {
        refuseSkips('g', planOffsetReset(states, { kind: 'latest' }));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(OffsetResetSkipsError);
    expect(error).toBeInstanceOf(KafkaError);
    expect(error).toMatchObject({ code: 'OFFSET_RESET_SKIPS', retryable: false });
    expect((error as OffsetResetSkipsError).skips.map((e) => [e.partition, e.skipped])).toEqual([
      [0, 3n],
      [1, 4n],
    ]);
    expect((error as Error).message).toBe('Resetting g would skip 7 unconsumed record(s): t:0 (3), t:1 (4)');
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
