import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_NODE_FLAGS, bundleApp, FULL_MAP_FILE } from '../src/app-bundle.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const appDir = 'packages/local-stack/test/fixtures/bundle-app';

afterAll(() => rmSync(join(root, appDir, 'dist'), { recursive: true, force: true }));

describe('bundleApp', () => {
  it('writes one module whose stack traces name our .ts lines, with a map of our sources only', async () => {
    const result = await bundleApp(root, appDir);
    const dist = join(root, appDir, 'dist');
    expect(result.file).toBe(`${appDir}/dist/main.mjs`);
    expect(existsSync(join(dist, FULL_MAP_FILE))).toBe(true);
    const map = JSON.parse(readFileSync(join(dist, 'main.mjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources).toEqual(['../src/main.ts']);
    const full = JSON.parse(readFileSync(join(dist, FULL_MAP_FILE), 'utf8')) as { sources: string[] };
    expect(full.sources.some((s) => s.includes('node_modules/zod/'))).toBe(true);

    const run = spawnSync(process.execPath, [...APP_NODE_FLAGS, join(dist, 'main.mjs')], {
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('Error: refused x');
    const frames = run.stderr.split('\n').filter((l) => l.trim().startsWith('at '));
    expect(frames[0]).toMatch(/failInsideOurCode .*src\/main\.ts:6:\d+\)/);
    // zod's own frames are not attributed to our file (they keep the bundle's position).
    const libraryFrames = frames.filter((f) => f.includes('dist/main.mjs'));
    expect(libraryFrames.length).toBeGreaterThan(0);
    expect(frames.filter((f) => f.includes('src/main.ts')).length).toBeLessThan(frames.length);
  });
});
