import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadWebAssets } from './web-assets.ts';

const appRoot = join(import.meta.dirname, '..', '..');
const repoRoot = join(appRoot, '..', '..');

describe('browser app assets', () => {
  it('serves index.html at / and every module as JavaScript whose imports resolve', async () => {
    const assets = await loadWebAssets(appRoot);
    expect(assets.get('/')?.contentType).toMatch(/text\/html/);
    expect(assets.get('/app/web/styles.css')?.contentType).toMatch(/text\/css/);
    const main = assets.get('/app/web/main.ts');
    expect(main?.contentType).toMatch(/javascript/);
    expect([...assets.keys()].some((k) => k.endsWith('.test.ts'))).toBe(false);
    for (const [path, asset] of assets) {
      if (!path.endsWith('.ts')) continue;
      expect(asset.body, path).not.toMatch(/^\s*(interface|type)\s/m);
      for (const [, specifier] of asset.body.matchAll(/from\s+'(\.[^']+)'/g)) {
        const resolved = new URL(specifier ?? '', `http://x${path}`).pathname;
        expect(assets.has(resolved), `${path} imports ${specifier}`).toBe(true);
      }
    }
  });

  it('type-checks the browser code with the DOM library (tsc -p web/tsconfig.json)', async () => {
    const tsc = join(repoRoot, 'node_modules', '.bin', 'tsc');
    const run = promisify(execFile);
    const result = await run(tsc, ['-p', join(appRoot, 'web', 'tsconfig.json')]).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? '' }),
    );
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  }, 60_000);
});
