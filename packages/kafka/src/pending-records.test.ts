import { describe, expect, it } from 'vitest';
import { PendingRecords } from './pending-records.ts';

const record = (partition: number, offset: bigint, topic = 't') => ({
  topic,
  partition,
  offset,
  leaderEpoch: 0,
});
const offsets = (records: { partition: number; offset: bigint }[]) =>
  records.map((r) => `${r.partition}@${r.offset}`);

describe('PendingRecords', () => {
  it('returns records in arrival order, at most max at a time', () => {
    const pending = new PendingRecords();
    for (const r of [record(0, 0n), record(1, 0n), record(0, 1n)]) pending.add(r);
    expect(offsets(pending.take(2))).toEqual(['0@0', '1@0']);
    expect(offsets(pending.take(2))).toEqual(['0@1']);
    expect(pending.size).toBe(0);
  });

  it('drops records the library fetches again after rewinding to the committed offset', () => {
    const pending = new PendingRecords();
    for (const r of [record(0, 0n), record(0, 1n), record(0, 2n)]) pending.add(r);
    pending.take(10);
    // Rebalance: the library restarts partition 0 at the committed offset 1.
    expect(pending.add(record(0, 1n))).toBe(false);
    expect(pending.add(record(0, 2n))).toBe(false);
    expect(pending.add(record(0, 3n))).toBe(true);
    expect(offsets(pending.take(10))).toEqual(['0@3']);
  });

  it('accepts gaps (compaction, transaction markers, a new owner committed further)', () => {
    const pending = new PendingRecords();
    pending.add(record(0, 0n));
    expect(pending.add(record(0, 10n))).toBe(true);
  });

  it('drops records of partitions no longer assigned and forgets their position', () => {
    const pending = new PendingRecords();
    for (const r of [record(0, 5n), record(1, 5n), record(0, 6n)]) pending.add(r);
    const onlyPartition1 = (_topic: string, partition: number) => partition === 1;
    expect(offsets(pending.take(10, onlyPartition1))).toEqual(['1@5']);
    // Partition 0 comes back later and is read again from its committed offset: nothing may be lost.
    expect(pending.add(record(0, 5n))).toBe(true);
  });

  it('keeps partitions of topics whose names contain colons apart', () => {
    const pending = new PendingRecords();
    pending.add(record(0, 1n, 'a:b'));
    expect(pending.add(record(0, 0n, 'a'))).toBe(true);
    expect(pending.take(10, (topic) => topic === 'a:b').map((r) => r.topic)).toEqual(['a:b']);
  });
});
