import { describe, expect, it } from 'vitest';
import { commitOffsetsFor, mergeCommitOffsets, splitByOwnership } from './commit-offsets.ts';

const record = (topic: string, partition: number, offset: bigint, leaderEpoch = 0) => ({
  topic,
  partition,
  offset,
  leaderEpoch,
});

describe('commitOffsetsFor', () => {
  it('commits, per partition, the offset after the last record of the batch', () => {
    const batch = [
      record('a', 0, 5n),
      record('a', 1, 9n),
      record('a', 0, 6n),
      record('b', 0, 0n),
      record('a', 0, 7n, 2),
    ];
    expect(commitOffsetsFor(batch)).toEqual([
      { topic: 'a', partition: 0, offset: 8n, leaderEpoch: 2 },
      { topic: 'a', partition: 1, offset: 10n, leaderEpoch: 0 },
      { topic: 'b', partition: 0, offset: 1n, leaderEpoch: 0 },
    ]);
  });

  it('never goes past the highest record handled, whatever the order', () => {
    expect(commitOffsetsFor([record('a', 0, 9n), record('a', 0, 3n)])).toEqual([
      { topic: 'a', partition: 0, offset: 10n, leaderEpoch: 0 },
    ]);
  });

  it('commits nothing for an empty batch', () => {
    expect(commitOffsetsFor([])).toEqual([]);
  });
});

describe('mergeCommitOffsets', () => {
  it('keeps the higher offset per partition', () => {
    const older = [
      { topic: 'a', partition: 0, offset: 5n, leaderEpoch: 0 },
      { topic: 'a', partition: 1, offset: 9n, leaderEpoch: 0 },
    ];
    const newer = [{ topic: 'a', partition: 0, offset: 7n, leaderEpoch: 1 }];
    expect(mergeCommitOffsets(older, newer)).toEqual([
      { topic: 'a', partition: 0, offset: 7n, leaderEpoch: 1 },
      { topic: 'a', partition: 1, offset: 9n, leaderEpoch: 0 },
    ]);
  });
});

describe('splitByOwnership', () => {
  it('keeps offsets of partitions still assigned apart from those reassigned', () => {
    const offsets = [
      { topic: 'a', partition: 0, offset: 5n, leaderEpoch: 0 },
      { topic: 'a', partition: 1, offset: 9n, leaderEpoch: 0 },
    ];
    const { owned, lost } = splitByOwnership(offsets, (_topic, partition) => partition === 0);
    expect(owned.map((o) => o.partition)).toEqual([0]);
    expect(lost.map((o) => o.partition)).toEqual([1]);
  });
});
