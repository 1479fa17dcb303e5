import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { inlineScriptHashes, loadWebAssets } from './web-assets.ts';

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
    const html = assets.get('/')?.body ?? '';
    const importMap = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '{}') as {
      imports: Record<string, string>;
    };
    for (const [path, asset] of assets) {
      if (!path.endsWith('.ts')) continue;
      expect(asset.body, path).not.toMatch(/^\s*(interface|type)\s/m);
      for (const [, specifier = ''] of asset.body.matchAll(/(?:from|import)\s+'([^']+)'/g)) {
        // Relative imports resolve as on disk; bare ones (libraries) through index.html's import map.
        const url = specifier.startsWith('.') ? specifier : importMap.imports[specifier];
        expect(url, `${path} imports ${specifier}, which the import map does not name`).toBeDefined();
        const resolved = new URL(url ?? '', `http://x${path}`).pathname;
        expect(assets.has(resolved), `${path} imports ${specifier}`).toBe(true);
      }
    }
    // Every stylesheet and script the page links is served.
    for (const [, href] of html.matchAll(/(?:href|src)="(\/app\/[^"]+)"/g)) {
      expect(assets.has(href ?? ''), href).toBe(true);
    }
    expect(assets.get('/app/vendor/uplot/dist/uPlot.esm.js')?.body).toContain('export { uPlot as default }');
  });

  it('hashes the inline scripts for the content security policy', async () => {
    const html = '<script type="importmap">{"imports":{}}</script><script src="/x.js"></script>';
    const expected = createHash('sha256').update('{"imports":{}}').digest('base64');
    expect(inlineScriptHashes(html)).toEqual([`'sha256-${expected}'`]);
    const assets = await loadWebAssets(appRoot);
    expect(assets.get('/')?.inlineScriptHashes).toHaveLength(1);
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
