import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeImageTree } from './image-tree.ts';
import { listWorkspaces, workspaceClosure } from './workspaces.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fakeApp(): string {
  const root = mkdtempSync(join(tmpdir(), 'image-tree-'));
  dirs.push(root);
  const app = join(root, 'services', 'demo-service');
  for (const d of ['src', 'dist', 'migrations', 'test']) mkdirSync(join(app, d), { recursive: true });
  writeFileSync(join(app, 'package.json'), '{"name":"@kafka-poc/demo-service"}');
  writeFileSync(join(app, 'src', 'main.ts'), '');
  writeFileSync(join(app, 'drizzle.config.ts'), '');
  writeFileSync(join(app, 'migrations', '0000_init.sql'), 'select 1;');
  for (const f of ['main.mjs', 'main.mjs.map', 'main.mjs.all.map', 'native.wasm', '.main.1.mjs']) {
    writeFileSync(join(app, 'dist', f), f);
  }
  return root;
}

describe('writeImageTree', () => {
  it("lays out the app's build and runtime files, not its sources, tests or the full map", () => {
    const root = fakeApp();
    const out = join(root, '.image', 'demo-service');
    const app = { name: '@kafka-poc/demo-service', dir: 'services/demo-service', pkg: { name: 'x' } };
    writeImageTree(app, out, root);
    const tree = join(out, 'services', 'demo-service');
    expect(readdirSync(tree).sort()).toEqual(['dist', 'migrations']);
    expect(readdirSync(join(tree, 'dist')).sort()).toEqual(['main.mjs', 'main.mjs.map', 'native.wasm']);
    expect(readFileSync(join(out, 'main.mjs'), 'utf8')).toContain(
      "import './services/demo-service/dist/main.mjs';",
    );
  });

  it('refuses an app that was not built', () => {
    const root = fakeApp();
    rmSync(join(root, 'services', 'demo-service', 'dist'), { recursive: true });
    const app = { name: '@kafka-poc/demo-service', dir: 'services/demo-service', pkg: { name: 'x' } };
    expect(() => writeImageTree(app, join(root, '.image', 'demo'), root)).toThrow(/npm run build/);
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
