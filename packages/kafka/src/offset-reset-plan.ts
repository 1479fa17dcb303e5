import { KafkaError } from './errors.ts';
import type { OffsetResetPlanEntry, OffsetResetTarget } from './types.ts';

export interface PartitionState {
  topic: string;
  partition: number;
  earliest: bigint;
  latest: bigint;
  /** Committed offset of the group, undefined when never committed. */
  committed: bigint | undefined;
  /** For timestamp targets: first offset with timestamp >= target, or undefined when there is none. */
  atTimestamp?: bigint | undefined;
}

/**
 * The new committed offset of every partition for a reset target. Explicit offsets outside the
 * partition's retained range are clamped into it, as kafka-consumer-groups.sh does.
 */
export function planOffsetReset(
  partitions: PartitionState[],
  target: OffsetResetTarget,
): OffsetResetPlanEntry[] {
  if (target.kind === 'offsets') return planExplicit(partitions, target.offsets);
  return partitions.map((p) => entry(p, newOffsetFor(p, target)));
}

function newOffsetFor(p: PartitionState, target: Exclude<OffsetResetTarget, { kind: 'offsets' }>): bigint {
  switch (target.kind) {
    case 'earliest':
      return p.earliest;
    case 'latest':
      return p.latest;
    case 'timestamp':
      return p.atTimestamp ?? p.latest;
  }
}

function planExplicit(
  partitions: PartitionState[],
  offsets: { topic: string; partition: number; offset: bigint }[],
): OffsetResetPlanEntry[] {
  return offsets.map(({ topic, partition, offset }) => {
    const state = partitions.find((p) => p.topic === topic && p.partition === partition);
    if (!state) {
      throw new KafkaError(
        'INVALID_ARGUMENT',
        `Partition ${topic}:${partition} is not among the topics to reset`,
        {
          retryable: false,
        },
      );
    }
    return entry(state, clamp(offset, state.earliest, state.latest));
  });
}

function entry(p: PartitionState, newOffset: bigint): OffsetResetPlanEntry {
  const resumeAt = resumeOffset(p);
  const consumedUpTo = p.committed === undefined ? undefined : clamp(p.committed, p.earliest, p.latest);
  return {
    topic: p.topic,
    partition: p.partition,
    currentOffset: p.committed,
    newOffset,
    toRead: positive(p.latest - newOffset),
    reRead: consumedUpTo === undefined ? 0n : positive(consumedUpTo - newOffset),
    skipped: positive(newOffset - resumeAt),
  };
}

/**
 * Where the group's consumers would read next without a reset: the committed offset, moved into
 * the retained range (a commit that fell out of retention resumes at the earliest offset), or the
 * earliest retained offset when the group never committed (this project's consumers start there).
 */
function resumeOffset(p: PartitionState): bigint {
  return p.committed === undefined ? p.earliest : clamp(p.committed, p.earliest, p.latest);
}

function positive(value: bigint): bigint {
  return value > 0n ? value : 0n;
}

function clamp(value: bigint, min: bigint, max: bigint): bigint {
  if (value < min) return min;
  if (value > max) return max;
  return value;
}

/** Thrown when a reset told to refuse skips would skip records; `skips` names the partitions. */
export class OffsetResetSkipsError extends KafkaError {
  readonly skips: OffsetResetPlanEntry[];

  constructor(groupId: string, skips: OffsetResetPlanEntry[]) {
    const total = skips.reduce((sum, e) => sum + e.skipped, 0n);
    const where = skips.map((e) => `${e.topic}:${e.partition} (${e.skipped})`).join(', ');
    super('OFFSET_RESET_SKIPS', `Resetting ${groupId} would skip ${total} unconsumed record(s): ${where}`, {
      retryable: false,
    });
    this.skips = skips;
  }
}

/** Throws OffsetResetSkipsError when the plan moves the group past records it never consumed. */
export function refuseSkips(groupId: string, plan: OffsetResetPlanEntry[]): void {
  const skips = plan.filter((e) => e.skipped > 0n);
  if (skips.length > 0) throw new OffsetResetSkipsError(groupId, skips);
}

/** Records not yet consumed: from the committed offset, or from the earliest retained one if never committed. */
export function partitionLag(committed: bigint | undefined, earliest: bigint, latest: bigint): bigint {
  const from = committed === undefined || committed < earliest ? earliest : committed;
  return latest > from ? latest - from : 0n;
}
