import { describe, expect, it } from 'vitest';
import { unnamedInLayout, workspaceProblems } from './check-workspaces.ts';

const ws = (dir: string, name: string, deps: string[] = [], exports: Record<string, string> = {}) => ({
  dir,
  layer: dir.split('/')[0] ?? '',
  name,
  deps,
  exports,
});

describe('workspaceProblems', () => {
  it('accepts layers that point down and exports that exist', () => {
    const problems = workspaceProblems(
      [
        ws('packages/a', 'a', [], { '.': './src/index.ts' }),
        ws('services/s', 's', ['a', 'zod']),
        ws('tools/t', 't', ['a', 's']),
      ],
      () => true,
    );
    expect(problems).toEqual([]);
  });

  it('names a package that reaches up, an export that does not resolve, and a cycle', () => {
    const problems = workspaceProblems(
      [
        ws('packages/a', 'a', ['b']),
        ws('packages/b', 'b', ['c']),
        ws('packages/c', 'c', ['a', 't'], { '.': './src/missing.ts' }),
        ws('tools/t', 't'),
      ],
      (path) => !path.endsWith('missing.ts'),
    );
    expect(problems).toEqual([
      'c: exports "." → ./src/missing.ts does not exist',
      'c (packages) depends on t (tools): not allowed',
      'dependency cycle: a → b → c → a',
    ]);
  });
});

describe('unnamedInLayout', () => {
  const readme = [
    '# x',
    '## Repository layout',
    '```',
    'packages/      libraries',
    '  config         env',
    'services/      order-service · inventory-service',
    'apps/console/  web console',
    '```',
    'compose-check is named here, outside the block',
  ].join('\n');

  it('names the folders the layout block leaves out', () => {
    expect(
      unnamedInLayout(readme, [
        'packages/config',
        'services/order-service',
        'services/inventory-service',
        'apps/console',
        'tools/compose-check',
      ]),
    ).toEqual(['tools/compose-check']);
  });
});
