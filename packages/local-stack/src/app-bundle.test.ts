import { decode, encode } from '@jridgewell/sourcemap-codec';
import { describe, expect, it } from 'vitest';
import { isOwnSource, ownSourcesOnly, type RawSourceMap } from './app-bundle.ts';

const SOURCES = [
  '../../../node_modules/pg/lib/client.js',
  '../src/orders/cancel.ts',
  '../../../packages/db/src/x.ts',
];

function map(lines: number[][][]): RawSourceMap {
  return { version: 3, sources: SOURCES, names: ['cancel', 'query'], mappings: encode(lines as never) };
}

describe('isOwnSource', () => {
  it('tells a workspace file from a package', () => {
    expect(isOwnSource('../src/orders/cancel.ts')).toBe(true);
    expect(isOwnSource('../../../packages/db/src/x.ts')).toBe(true);
    expect(isOwnSource('../../../node_modules/pg/lib/client.js')).toBe(false);
  });
});

describe('ownSourcesOnly', () => {
  it('drops the libraries, keeps one segment per line of our sources, and ends our mapping where a library starts', () => {
    const out = ownSourcesOnly(
      map([
        [
          [0, 0, 10, 0], // pg: dropped, nothing of ours before it
          [40, 1, 5, 2, 0], // cancel.ts:6 with a name
          [52, 1, 5, 9], // cancel.ts:6 again: dropped
          [60, 1, 6, 2], // cancel.ts:7
          [75, 0, 11, 4], // pg: ends our mapping
          [90, 0, 12, 0], // pg again: nothing to end
          [120, 2, 3, 0, 1], // x.ts:4
        ],
        [[0, 2, 3, 8]], // x.ts:4 on the next generated line: kept (a new line needs its own segment)
      ]),
    );
    expect(out.sources).toEqual(['../src/orders/cancel.ts', '../../../packages/db/src/x.ts']);
    expect(out.names).toEqual(['cancel', 'query']);
    expect(decode(out.mappings)).toEqual([
      [[40, 0, 5, 2, 0], [60, 0, 6, 2], [75], [120, 1, 3, 0, 1]],
      [[0, 1, 3, 8]],
    ]);
  });

  it('maps nothing where only libraries run', () => {
    const out = ownSourcesOnly(
      map([
        [
          [0, 0, 1, 0],
          [5, 0, 2, 0],
        ],
      ]),
    );
    expect(decode(out.mappings)).toEqual([[]]);
  });
});
