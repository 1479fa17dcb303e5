import { describe, expect, it } from 'vitest';
import { minimumInboxRetentionMs } from './inbox-retention.ts';
import { purgeInterval } from './retention-purge.ts';

const DAY = 24 * 3_600_000;

describe('inbox retention', () => {
  it('must cover what Kafka can still deliver: retention.ms + segment.ms', () => {
    // Broker defaults (7 d + 7 d) fit in the 15 d default of INBOX_RETENTION_MS.
    expect(minimumInboxRetentionMs({ retentionMs: 7 * DAY, segmentMs: 7 * DAY })).toBe(14 * DAY);
    expect(minimumInboxRetentionMs({ retentionMs: 7 * DAY, segmentMs: 7 * DAY })).toBeLessThan(15 * DAY);
    expect(minimumInboxRetentionMs({ retentionMs: -1, segmentMs: 7 * DAY })).toBe(Number.POSITIVE_INFINITY);
  });

  it('purges a tenth of the retention apart, between 1 s and 10 min', () => {
    expect(purgeInterval(1000)).toBe(1000);
    expect(purgeInterval(60_000)).toBe(6000);
    expect(purgeInterval(15 * DAY)).toBe(600_000);
    expect(purgeInterval(3_600_000, 60_000)).toBe(60_000); // the outbox purge: at most a minute apart
  });
});
