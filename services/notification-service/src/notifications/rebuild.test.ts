import { describe, expect, it } from 'vitest';
import { planRewind, RebuildError } from './rebuild.ts';

const forgotten = (partition: number, firstOffset: bigint, events = 1) => ({
  topic: 't',
  partition,
  events,
  firstOffset,
});

describe('planRewind', () => {
  it('rewinds each partition to its first forgotten event, from the inbox offsets', () => {
    const plan = planRewind(
      [forgotten(0, 40n, 3), forgotten(1, 7n)],
      [
        { topic: 't', partition: 0, earliest: 0n, committed: 100n },
        { topic: 't', partition: 1, earliest: 5n, committed: 8n },
        { topic: 't', partition: 2, earliest: 0n, committed: 50n },
      ],
    );
    expect(plan.offsets).toEqual([
      { topic: 't', partition: 0, offset: 40n },
      { topic: 't', partition: 1, offset: 7n },
    ]);
    expect(plan.partitions).toEqual([
      { topic: 't', partition: 0, events: 3, firstOffset: 40n, committed: 100n, rewindTo: 40n },
      { topic: 't', partition: 1, events: 1, firstOffset: 7n, committed: 8n, rewindTo: 7n },
    ]);
  });

  it('never moves a group forward: a group that resumes at or before the first event is left alone', () => {
    const plan = planRewind(
      [forgotten(0, 40n), forgotten(1, 7n), forgotten(2, 3n)],
      [
        { topic: 't', partition: 0, earliest: 0n, committed: 40n },
        { topic: 't', partition: 1, earliest: 0n, committed: undefined },
        // A commit that fell out of retention resumes at the earliest offset.
        { topic: 't', partition: 2, earliest: 2n, committed: 1n },
      ],
    );
    expect(plan.offsets).toEqual([]);
    expect(plan.partitions.map((p) => p.rewindTo)).toEqual([undefined, undefined, undefined]);
  });

  it('refuses when a forgotten event is no longer in the log', () => {
    const run = () =>
      planRewind(
        [forgotten(0, 3n), forgotten(1, 0n)],
        [
          { topic: 't', partition: 0, earliest: 5n, committed: 9n },
          { topic: 't', partition: 1, earliest: 0n, committed: 9n },
        ],
      );
    expect(run).toThrow(RebuildError);
    expect(run).toThrow(/t:0 \(forgotten events from offset 3, the log starts at 5\).*Nothing was deleted/);
    expect(() => planRewind([{ ...forgotten(0, 0n), topic: 'gone' }], [])).toThrow(
      /gone:0 \(no longer exists\)/,
    );
  });
});
