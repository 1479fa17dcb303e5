import { describe, expect, it } from 'vitest';
import {
  bundleFrameResolver,
  type CpuProfile,
  type MapLoader,
  packageOf,
  summarizeProfile,
} from './cpu-profile.ts';

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

describe('bundleFrameResolver', () => {
  // A bundle's full map as local-stack's buildApps writes it: sources relative to dist/, no
  // sourcesContent. Generated line 0 (the banner) has no mapping; line 1 from column 0 maps to
  // pg's client.js line 11 (0-based 10), column 2; line 2 from column 2 to our order-repository.ts
  // line 21 (0-based 20), column 4. The VLQ is relative: [0,0,10,2] then [2,+1,+10,+2].
  const map = {
    version: 3 as const,
    sources: ['../../../node_modules/pg/lib/client.js', '../src/orders/order-repository.ts'],
    names: [],
    mappings: ';AAUE;ECUE',
  };
  const orderBundle = 'file:///r/services/order-service/dist/main.mjs';
  const inventoryBundle = 'file:///r/services/inventory-service/dist/main.mjs';
  const loads: string[] = [];
  // The order-service's bundle has its map; the inventory-service's has none.
  const loader: MapLoader = (url) => {
    loads.push(url);
    return url === orderBundle
      ? { map, mapUrl: 'file:///r/services/order-service/dist/main.mjs.all.map' }
      : undefined;
  };

  it("attributes a bundle's frames to their original package and line, and leaves unmapped ones as they are", () => {
    loads.length = 0;
    const resolve = bundleFrameResolver('dist/main.mjs', loader);
    // V8 positions are 0-based: (1, 9) falls in the segment at (1, 0).
    expect(resolve({ functionName: 'query', url: orderBundle, lineNumber: 1, columnNumber: 9 })).toEqual({
      functionName: 'query',
      url: 'file:///r/node_modules/pg/lib/client.js',
      lineNumber: 10,
      columnNumber: 2,
    });
    expect(resolve({ functionName: 'save', url: orderBundle, lineNumber: 2, columnNumber: 2 })?.url).toBe(
      'file:///r/services/order-service/src/orders/order-repository.ts',
    );
    // Before the first segment of a line, on an unmapped line, in a bundle without a map, or not a bundle.
    expect(resolve({ functionName: 'f', url: orderBundle, lineNumber: 2, columnNumber: 0 })).toBeUndefined();
    expect(resolve({ functionName: 'f', url: orderBundle, lineNumber: 0, columnNumber: 5 })).toBeUndefined();
    expect(
      resolve({ functionName: 'f', url: inventoryBundle, lineNumber: 1, columnNumber: 0 }),
    ).toBeUndefined();
    expect(resolve({ functionName: 'f', url: 'node:internal/fs/utils', lineNumber: 1 })).toBeUndefined();
    // Each bundle's map is looked for once.
    resolve({ functionName: 'query', url: orderBundle, lineNumber: 1, columnNumber: 0 });
    resolve({ functionName: 'f', url: inventoryBundle, lineNumber: 1, columnNumber: 0 });
    expect(loads).toEqual([orderBundle, inventoryBundle]);
  });

  it('lets summarizeProfile name packages and functions inside a bundle', () => {
    const frame = (functionName: string, url = '', lineNumber = 0, columnNumber = 0) => ({
      functionName,
      url,
      lineNumber,
      columnNumber,
    });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 4] },
        { id: 2, callFrame: frame('save', orderBundle, 2, 2), children: [3] },
        { id: 3, callFrame: frame('query', orderBundle, 1, 9) },
        { id: 4, callFrame: frame('__commonJS', inventoryBundle, 0, 10) },
      ],
      samples: [3, 3, 2, 4],
      timeDeltas: [1000, 1000, 1000, 1000],
    };
    const s = summarizeProfile(profile, 15, undefined, bundleFrameResolver('dist/main.mjs', loader));
    expect(s.byPackage).toEqual([
      { name: 'pg', ms: 2, pct: 50 },
      { name: 'services/order-service', ms: 1, pct: 25 },
      { name: 'services/inventory-service', ms: 1, pct: 25 },
    ]);
    expect(s.topSelf.map((e) => e.name)).toEqual([
      'query pg/lib/client.js:11',
      'save services/order-service/src/orders/order-repository.ts:21',
      '__commonJS services/inventory-service/dist/main.mjs:1',
    ]);
    expect(s.topInclusive[0]).toEqual({
      name: 'save services/order-service/src/orders/order-repository.ts:21',
      ms: 3,
      pct: 75,
    });
    // Without a resolver, everything is the bundle's.
    expect(summarizeProfile(profile).byPackage.map((e) => e.name)).toEqual([
      'services/order-service',
      'services/inventory-service',
    ]);
  });
});
