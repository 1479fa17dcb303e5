import type { OffsetResetPlanEntry } from '@kafka-poc/kafka';
import { describe, expect, it } from 'vitest';
import { planRows, planSummary, skipRefusal } from './replay.ts';

const entry = (partial: Partial<OffsetResetPlanEntry>): OffsetResetPlanEntry => ({
  topic: 't',
  partition: 0,
  currentOffset: 10n,
  newOffset: 10n,
  toRead: 0n,
  reRead: 0n,
  skipped: 0n,
  ...partial,
});

const rewind = entry({ partition: 0, currentOffset: 10n, newOffset: 4n, toRead: 6n, reRead: 6n });
const forward = entry({ partition: 1, currentOffset: 3n, newOffset: 9n, skipped: 6n });
const fresh = entry({ partition: 2, currentOffset: undefined, newOffset: 5n, skipped: 5n });

describe('replay output', () => {
  it('a row per partition: committed, target, re-read, skipped', () => {
    expect(planRows([rewind, fresh])).toEqual([
      { topic: 't', partition: 0, committed: 10n, target: 4n, 're-read': 6n, skipped: 0n },
      { topic: 't', partition: 2, committed: 'none', target: 5n, 're-read': 0n, skipped: 5n },
    ]);
  });

  it('the dry run says what would be re-read and skipped, and what happens without a commit', () => {
    const text = planSummary('g', [rewind, forward, fresh], { dryRun: true, allowSkip: false });
    expect(text).toContain(
      't:2 has no committed offset: its consumers would start at the earliest retained offset (0); after the reset they start at 5, skipping 5 record(s).',
    );
    expect(text).toContain('dry run: nothing changed; "g" would re-read 6 record(s) and skip 11.');
    expect(text).toContain('(t:1 6, t:2 5); without --allow-skip a real run refuses.');
    expect(planSummary('g', [rewind], { dryRun: true, allowSkip: false })).not.toContain('Skipping');
  });

  it('a real run says what it did', () => {
    expect(planSummary('g', [rewind], { dryRun: false, allowSkip: false })).toBe(
      'offsets of "g" reset; it re-reads 6 record(s) when it starts.',
    );
    expect(planSummary('g', [rewind, forward], { dryRun: false, allowSkip: true })).toBe(
      'offsets of "g" reset; it re-reads 6 record(s) when it starts and skips 6 it never consumed (t:1 6).',
    );
  });

  it('the refusal names each partition and its count', () => {
    expect(skipRefusal('g', 'latest', [forward, fresh])).toBe(
      'replay: refused — moving "g" to latest skips 11 record(s) it never consumed:\n' +
        '  t:1  committed 3 → 9: 6 record(s) skipped\n' +
        '  t:2  no committed offset (starts at earliest) → 5: 5 record(s) skipped\n' +
        'Nothing changed. Their effects would never happen. See the whole plan with --dry-run; add --allow-skip to skip them on purpose.\n',
    );
  });
});
