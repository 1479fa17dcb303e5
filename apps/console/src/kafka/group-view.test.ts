import { describe, expect, it } from 'vitest';
import { toGroupView } from './group-view.ts';

describe('toGroupView', () => {
  it('joins lag with assignments and sums the lag', () => {
    const view = toGroupView(
      {
        groupId: 'g',
        state: 'Stable',
        protocol: 'consumer',
        members: [
          {
            memberId: 'm1',
            clientId: 'svc-1',
            host: '/127.0.0.1',
            assignments: [
              { topic: 't', partition: 1 },
              { topic: 't', partition: 0 },
            ],
          },
        ],
      },
      [
        { topic: 't', partition: 1, committedOffset: undefined, latestOffset: 4n, lag: 4n },
        { topic: 't', partition: 0, committedOffset: 3n, latestOffset: 5n, lag: 2n },
        { topic: 'u', partition: 0, committedOffset: 1n, latestOffset: 1n, lag: 0n },
      ],
    );
    expect(view.totalLag).toBe(6);
    expect(view.resettable).toBe(false);
    expect(view.members[0]?.assignments).toEqual(['t:0', 't:1']);
    expect(view.partitions).toEqual([
      { topic: 't', partition: 0, committedOffset: '3', latestOffset: '5', lag: 2, owner: 'svc-1' },
      { topic: 't', partition: 1, committedOffset: null, latestOffset: '4', lag: 4, owner: 'svc-1' },
      { topic: 'u', partition: 0, committedOffset: '1', latestOffset: '1', lag: 0, owner: null },
    ]);
  });

  it('is resettable without members', () => {
    const view = toGroupView({ groupId: 'g', state: 'Empty', protocol: 'consumer', members: [] }, []);
    expect(view).toMatchObject({ resettable: true, totalLag: 0, partitions: [] });
  });
});
