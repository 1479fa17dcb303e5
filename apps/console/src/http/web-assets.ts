import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripTypes } from './strip-types.ts';

export interface WebAsset {
  body: string;
  contentType: string;
  etag: string;
  /** CSP hash sources ('sha256-…') of the page's inline scripts (the import map of index.html). */
  inlineScriptHashes?: string[];
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ts': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Browser libraries, served from their npm packages at `/app/vendor/<file>`; index.html's import map
 * gives the modules their bare names (`import uPlot from 'uplot'`), as on disk for the type checker.
 */
const VENDOR_FILES = ['uplot/dist/uPlot.esm.js', 'uplot/dist/uPlot.min.css'];

/**
 * The browser app, loaded once at start: web/index.html at `/`, every module of web/ and
 * src/shared/ at `/app/<path>` (TypeScript with its types erased), so the modules' relative
 * `.ts` imports resolve in the browser exactly as they do on disk, and the vendor files. Nothing is
 * built or written.
 */
export async function loadWebAssets(appRoot: string): Promise<Map<string, WebAsset>> {
  const assets = new Map<string, WebAsset>();
  const files = [
    ...(await listFiles(join(appRoot, 'web'))),
    ...(await listFiles(join(appRoot, 'src', 'shared'))),
  ];
  for (const file of files) {
    if (file.endsWith('.test.ts') || file.endsWith('.d.ts')) continue;
    const path = relative(appRoot, file).split(sep).join('/');
    const asset = await loadAsset(file, { stripTypes: true });
    if (!asset) continue;
    if (path === 'web/index.html') {
      assets.set('/', { ...asset, inlineScriptHashes: inlineScriptHashes(asset.body) });
    } else {
      assets.set(`/app/${path}`, asset);
    }
  }
  for (const file of VENDOR_FILES) {
    const asset = await loadAsset(fileURLToPath(import.meta.resolve(file)), { stripTypes: false });
    if (asset) assets.set(`/app/vendor/${file}`, asset);
  }
  if (!assets.has('/')) throw new Error(`web/index.html not found under ${appRoot}`);
  return assets;
}

async function loadAsset(file: string, options: { stripTypes: boolean }): Promise<WebAsset | undefined> {
  const extension = file.slice(file.lastIndexOf('.'));
  const contentType = TYPES[extension];
  if (!contentType) return undefined;
  const source = await readFile(file, 'utf8');
  const body = extension === '.ts' && options.stripTypes ? stripTypes(source) : source;
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, contentType, etag };
}

/** The CSP hash of each inline <script> of a page, so the policy can allow exactly those. */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    ([, content]) =>
      `'sha256-${createHash('sha256')
        .update(content ?? '')
        .digest('base64')}'`,
  );
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
