import type { RedriveReport } from '@kafka-poc/outbox';
import { describe, expect, it } from 'vitest';
import { redriveSummary } from './dlq.ts';

const report = (partial: Partial<RedriveReport>): RedriveReport => ({
  topic: 't.DLT',
  redriven: 0,
  targets: [],
  leftBehind: 0,
  arrived: 0,
  partitions: [],
  ...partial,
});

describe('redriveSummary', () => {
  it('says how many went, how many were left and why', () => {
    expect(
      redriveSummary(report({ redriven: 3, targets: ['t'], leftBehind: 4, arrived: 1 }), {
        all: true,
        limit: 3,
      }),
    ).toBe(
      'redriven 3 letter(s) from t.DLT to t\nleft unread: 5 (4 beyond --limit 3, 1 arrived during the run); they stay in t.DLT',
    );
    expect(
      redriveSummary(report({ redriven: 1, targets: ['t'], leftBehind: 6 }), { offset: 2n, partition: 0 }),
    ).toContain('left unread: 6 (6 not selected by --offset)');
    expect(
      redriveSummary(report({ redriven: 7, targets: ['t'] }), { all: true, limit: undefined }),
    ).toContain('left unread: 0 (every letter in t.DLT at the start was redriven)');
  });

  it('says when it stopped early or found nothing', () => {
    const stopped = redriveSummary(report({ redriven: 2, leftBehind: 5, stoppedBy: 'broker down' }), {
      all: true,
      limit: undefined,
    });
    expect(stopped).toContain('stopped early: broker down');
    expect(stopped).toContain('left unread: 5 (5 not reached)');
    expect(redriveSummary(report({}), { all: true, limit: undefined })).toContain(
      'nothing to redrive: t.DLT is empty',
    );
  });
});
