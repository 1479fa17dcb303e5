import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { stripTypes } from './strip-types.ts';

export interface WebAsset {
  body: string;
  contentType: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ts': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The browser app, loaded once at start: web/index.html at `/`, and every module of web/ and
 * src/shared/ at `/app/<path>` (TypeScript with its types erased), so the modules' relative
 * `.ts` imports resolve in the browser exactly as they do on disk. Nothing is built or written.
 */
export async function loadWebAssets(appRoot: string): Promise<Map<string, WebAsset>> {
  const assets = new Map<string, WebAsset>();
  const files = [
    ...(await listFiles(join(appRoot, 'web'))),
    ...(await listFiles(join(appRoot, 'src', 'shared'))),
  ];
  for (const file of files) {
    const extension = file.slice(file.lastIndexOf('.'));
    const contentType = TYPES[extension];
    if (!contentType || file.endsWith('.test.ts') || file.endsWith('.d.ts')) continue;
    const source = await readFile(file, 'utf8');
    const body = extension === '.ts' ? stripTypes(source) : source;
    const path = relative(appRoot, file).split(sep).join('/');
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(path === 'web/index.html' ? '/' : `/app/${path}`, { body, contentType, etag });
  }
  if (!assets.has('/')) throw new Error(`web/index.html not found under ${appRoot}`);
  return assets;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
