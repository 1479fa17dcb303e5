import { describe, expect, it } from 'vitest';
import { checkInboxRetention, planRewind, RebuildError } from './rebuild.ts';

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
    expect(run).toThrow(
      /t:0 \(source events from offset 3; the earliest offset still in the topic is 5\).*Nothing was deleted/,
    );
    expect(() => planRewind([{ ...forgotten(0, 0n), topic: 'gone' }], [])).toThrow(
      /gone:0 \(no longer exists\)/,
    );
  });
});

describe('checkInboxRetention', () => {
  const now = new Date('2026-12-20T12:00:00Z');
  const scope = (from: string) => ({ from: new Date(from), to: now });

  it('accepts a range that starts within the inbox retention, and any range when inbox rows are kept forever', () => {
    expect(() => checkInboxRetention(scope('2026-12-05T12:00:00Z'), 15 * 86_400_000, now)).not.toThrow();
    expect(() => checkInboxRetention(scope('2020-01-01T00:00:00Z'), 0, now)).not.toThrow();
  });

  it('refuses a range that starts before it, naming the range, the retention and the earliest --from', () => {
    const run = () => checkInboxRetention(scope('2026-12-05T11:59:59Z'), 15 * 86_400_000, now);
    expect(run).toThrow(RebuildError);
    expect(run).toThrow(
      /range \[2026-12-05T11:59:59.000Z, 2026-12-20T12:00:00.000Z\) starts before 2026-12-05T12:00:00.000Z, older than the inbox retention \(INBOX_RETENTION_MS=1296000000, 15 d\).*Nothing was deleted; choose --from at or after 2026-12-05T12:00:00.000Z/,
    );
  });
});
