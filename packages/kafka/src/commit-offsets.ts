export interface FetchedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  /** Leader epoch of the record's batch; sent with the commit so the broker can detect log truncation (KIP-320). */
  leaderEpoch: number;
}

export interface CommitOffset {
  topic: string;
  partition: number;
  /** The next offset to read: last handled offset + 1. */
  offset: bigint;
  leaderEpoch: number;
}

/**
 * What to commit after a batch was handled: per partition, the offset after the last record of that
 * partition in the batch. Records within a partition arrive in offset order, but the maximum is taken
 * anyway so a mis-ordered batch can never commit backwards.
 */
export function commitOffsetsFor(records: FetchedRecord[]): CommitOffset[] {
  const byPartition = new Map<string, CommitOffset>();
  for (const { topic, partition, offset, leaderEpoch } of records) {
    const key = `${topic}:${partition}`;
    const current = byPartition.get(key);
    if (!current || offset + 1n > current.offset) {
      byPartition.set(key, { topic, partition, offset: offset + 1n, leaderEpoch });
    }
  }
  return [...byPartition.values()];
}

/** Offsets whose commit failed are retried with the next commit; per partition the higher offset wins. */
export function mergeCommitOffsets(older: CommitOffset[], newer: CommitOffset[]): CommitOffset[] {
  const merged = new Map<string, CommitOffset>();
  for (const entry of [...older, ...newer]) {
    const key = `${entry.topic}:${entry.partition}`;
    const current = merged.get(key);
    if (!current || entry.offset > current.offset) merged.set(key, entry);
  }
  return [...merged.values()];
}

/**
 * Splits offsets into those of partitions this member still owns and those it lost. The library
 * hands revoked partitions to their new owner without waiting for a batch in flight, and the broker
 * accepts a late commit from the old owner, which could move the new owner's offset backwards.
 */
export function splitByOwnership(
  offsets: CommitOffset[],
  isAssigned: (topic: string, partition: number) => boolean,
): { owned: CommitOffset[]; lost: CommitOffset[] } {
  const owned: CommitOffset[] = [];
  const lost: CommitOffset[] = [];
  for (const entry of offsets) (isAssigned(entry.topic, entry.partition) ? owned : lost).push(entry);
  return { owned, lost };
}
