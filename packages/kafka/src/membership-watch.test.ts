import { describe, expect, it } from 'vitest';
import { MembershipWatch } from './membership-watch.ts';

function libraryError(apiId: string): Error {
  const protocol = Object.assign(new Error('Specified group generation id is not valid.'), { apiId });
  return new Error('Received response with error while executing API OffsetCommit(v9)', { cause: protocol });
}

describe('MembershipWatch', () => {
  it('reports a membership error only once it has lasted the stall time', () => {
    const watch = new MembershipWatch(30_000);
    expect(watch.failed(libraryError('ILLEGAL_GENERATION'), 1000)).toBeUndefined();
    expect(watch.failed(libraryError('ILLEGAL_GENERATION'), 20_000)).toBeUndefined();
    expect(watch.failed(libraryError('ILLEGAL_GENERATION'), 31_000)).toEqual({
      apiId: 'ILLEGAL_GENERATION',
      forMs: 30_000,
    });
  });

  it('starts over after a success', () => {
    const watch = new MembershipWatch(30_000);
    watch.failed(libraryError('UNKNOWN_MEMBER_ID'), 0);
    watch.succeeded();
    expect(watch.failed(libraryError('UNKNOWN_MEMBER_ID'), 40_000)).toBeUndefined();
    expect(watch.failed(libraryError('UNKNOWN_MEMBER_ID'), 70_000)?.apiId).toBe('UNKNOWN_MEMBER_ID');
  });

  it('ignores failures that say nothing about the membership', () => {
    const watch = new MembershipWatch(0);
    expect(watch.failed(new Error('Connection closed'), 0)).toBeUndefined();
    expect(watch.failed(libraryError('NOT_COORDINATOR'), 50_000)).toBeUndefined();
  });

  it('counts other failures between membership errors as part of the same stretch', () => {
    const watch = new MembershipWatch(30_000);
    watch.failed(libraryError('ILLEGAL_GENERATION'), 0);
    watch.failed(new Error('Connection closed'), 10_000);
    expect(watch.failed(libraryError('ILLEGAL_GENERATION'), 32_000)?.forMs).toBe(32_000);
  });
});
