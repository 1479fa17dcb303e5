import { describe, expect, it } from 'vitest';
import { imagePackageJson, toDistExports } from './image-tree.ts';
import { listWorkspaces, workspaceClosure } from './workspaces.ts';

describe('toDistExports', () => {
  it('points source exports at the compiled files, through conditions', () => {
    expect(toDistExports('./src/index.ts')).toBe('./dist/index.js');
    expect(toDistExports({ '.': './src/index.ts', './x': { import: './src/x/y.mts' } })).toEqual({
      '.': './dist/index.js',
      './x': { import: './dist/x/y.mjs' },
    });
    expect(toDistExports('./schemas/a.json')).toBe('./schemas/a.json');
  });
});

describe('imagePackageJson', () => {
  it('keeps the runtime fields only', () => {
    expect(
      imagePackageJson({
        name: '@kafka-poc/db',
        version: '0.1.0',
        private: true,
        type: 'module',
        exports: { '.': './src/index.ts' },
        dependencies: { pg: '^8' },
        devDependencies: { vitest: '^5' },
        scripts: { start: 'node src/main.ts' },
      }),
    ).toEqual({
      name: '@kafka-poc/db',
      version: '0.1.0',
      private: true,
      type: 'module',
      exports: { '.': './dist/index.js' },
      dependencies: { pg: '^8' },
    });
  });
});

describe('workspaceClosure', () => {
  it('finds the workspaces an app depends on, transitively', () => {
    const all = listWorkspaces();
    const order = all.find((w) => w.dir === 'services/order-service');
    expect(order).toBeDefined();
    const dirs = workspaceClosure(order as (typeof all)[number], all).map((w) => w.dir);
    expect(dirs[0]).toBe('services/order-service');
    expect(dirs).toEqual(expect.arrayContaining(['packages/config', 'packages/db', 'packages/service-kit']));
    expect(dirs).not.toContain('packages/testing');
  });
});
