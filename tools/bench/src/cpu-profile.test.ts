import { describe, expect, it } from 'vitest';
import { type CpuProfile, packageOf, summarizeProfile } from './cpu-profile.ts';

describe('packageOf', () => {
  it('names node_modules packages, our workspaces, node internals and V8 frames', () => {
    expect(packageOf('file:///work/main/node_modules/pg/lib/client.js', 'query')).toBe('pg');
    expect(packageOf('file:///work/main/node_modules/@platformatic/kafka/dist/x.js', 'send')).toBe(
      '@platformatic/kafka',
    );
    expect(packageOf('file:///work/main/packages/outbox/src/relay.ts', 'drain')).toBe('packages/outbox');
    expect(packageOf('node:internal/streams/writable', 'write')).toBe('node:internal');
    expect(packageOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(packageOf('', 'JSON.parse')).toBe('(native)');
  });
});

describe('summarizeProfile', () => {
  it('splits self and inclusive time by function and package, leaving idle out of the shares', () => {
    const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 5, 6] },
        {
          id: 2,
          callFrame: frame('handle', 'file:///r/services/order-service/src/orders/routes.ts'),
          children: [3],
        },
        { id: 3, callFrame: frame('query', 'file:///r/node_modules/pg/lib/client.js'), children: [4] },
        { id: 4, callFrame: frame('parse', 'file:///r/node_modules/pg-protocol/dist/parser.js') },
        { id: 5, callFrame: frame('(idle)') },
        { id: 6, callFrame: frame('(garbage collector)') },
      ],
      samples: [3, 4, 4, 5, 5, 6, 2],
      timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000],
    };
    const s = summarizeProfile(profile);
    expect(s).toMatchObject({ totalMs: 7, idleMs: 2, busyMs: 5 });
    expect(s.byPackage).toEqual([
      { name: 'pg-protocol', ms: 2, pct: 40 },
      { name: 'pg', ms: 1, pct: 20 },
      { name: '(garbage collector)', ms: 1, pct: 20 },
      { name: 'services/order-service', ms: 1, pct: 20 },
    ]);
    expect(s.topInclusive[0]).toEqual({
      name: 'handle services/order-service/src/orders/routes.ts:1',
      ms: 4,
      pct: 80,
    });
    expect(s.topSelf[0]?.name).toBe('parse pg-protocol/dist/parser.js:1');
  });

  it('charges natives and node internals to their nearest caller, and keeps only samples in the window', () => {
    const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2] },
        { id: 2, callFrame: frame('log', 'file:///r/node_modules/pino/pino.js'), children: [3] },
        { id: 3, callFrame: frame('write', 'node:internal/fs/utils'), children: [4] },
        { id: 4, callFrame: frame('writeSync') },
      ],
      samples: [4, 4, 4, 2],
      timeDeltas: [1000, 1000, 1000, 1000],
      startTime: 10_000,
    };
    const all = summarizeProfile(profile);
    expect(all.byCaller).toEqual([{ name: 'pino', ms: 4, pct: 100 }]);
    expect(all.byPackage[0]).toEqual({ name: '(native)', ms: 3, pct: 75 });
    expect(all.topInclusive.map((e) => e.name)).toEqual(['log pino/pino.js:1']);
    // Samples at 11, 12, 13 and 14 ms: a window of 11.5–13.5 ms keeps two.
    expect(summarizeProfile(profile, 15, { fromUs: 11_500, toUs: 13_500 }).totalMs).toBe(2);
  });
});
