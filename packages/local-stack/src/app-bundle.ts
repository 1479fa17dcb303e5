/**
 * The production build of an app: one ES module per service and per console (`<app>/dist/main.mjs`),
 * bundled with esbuild from `<app>/src/main.ts`, plus its source map and the files it reads beside
 * itself. What the images, `npm start`, the bench, the chaos campaign and the process tests run.
 *
 * Why a bundle (issue 26, docs/performance.md "Memory"): on Node 24, importing the packages one module
 * at a time costs each service ~150 MB before its first order. `drizzle-orm`'s package.json is 179 KB
 * of "exports", parsed again for each of its modules the resolver walks (127 MB of RSS for the import
 * alone). One file resolves nothing at run time.
 *
 * Why the source map covers only our code: `--enable-source-maps` turns the whole map into arrays of
 * numbers on the heap, ~80 MB for the 5 MB bundle. A frame inside a library keeps the bundle's
 * position (and the function's name); a frame in our workspaces maps to its .ts line.
 */
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { decode, encode, type SourceMapMappings, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import { build, type Metafile } from 'esbuild';

/**
 * Modules the bundle loads from node_modules instead of holding them: pino-pretty is a dev
 * dependency (LOG_PRETTY only); @fastify/swagger-ui serves files from its own directory; pg-native is
 * an optional dependency of pg that we do not install.
 */
export const BUNDLE_EXTERNALS = ['pino-pretty', '@fastify/swagger-ui', 'pg-native'] as const;

/** Where the bundle of an app lives, relative to the app's directory. */
export const BUNDLE_FILE = 'dist/main.mjs';

/** The bundle's complete source map (libraries included), beside it; not loaded by the app. */
export const FULL_MAP_FILE = 'main.mjs.all.map';

/**
 * The Node flags every app runs with, from the checkout and in the images (the Dockerfile's CMD,
 * checked by `npm run check:deploy`): stack traces name our .ts lines. No heap settings: capping
 * V8's young or old generation held a service under 150 MB at 500 orders/s, but made the garbage
 * collector 30–40 % of the services' busy time at 1,000/s and lowered the ceiling
 * (docs/performance.md "Memory"). NODE_OPTIONS of the environment still applies.
 */
export const APP_NODE_FLAGS = ['--enable-source-maps'] as const;

export interface BundleResult {
  app: string;
  file: string;
  bytes: number;
  mapBytes: number;
  ms: number;
}

/**
 * Bundles `<root>/<appDir>/src/main.ts` into `<root>/<appDir>/dist/main.mjs`. Written under a temporary
 * name and renamed, so a process starting meanwhile reads the old bundle or the new one, never half
 * of one (vitest workers and launchers may build at the same time).
 */
export async function bundleApp(root: string, appDir: string): Promise<BundleResult> {
  const started = performance.now();
  const outDir = join(root, appDir, 'dist');
  mkdirSync(outDir, { recursive: true });
  const tmp = join(outDir, `.main.${process.pid}.${Date.now()}.mjs`);
  try {
    return await writeBundle(root, appDir, outDir, tmp, started);
  } finally {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.map`, { force: true });
    rmSync(`${tmp}.all.map`, { force: true });
  }
}

async function writeBundle(
  root: string,
  appDir: string,
  outDir: string,
  tmp: string,
  started: number,
): Promise<BundleResult> {
  const result = await build({
    entryPoints: [join(root, appDir, 'src', 'main.ts')],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    sourcemap: 'external',
    sourcesContent: false,
    // Whitespace and syntax only: names stay, for stack traces and CPU profiles. Half the source V8
    // keeps in memory for the life of the process.
    minifyWhitespace: true,
    minifySyntax: true,
    external: [...BUNDLE_EXTERNALS],
    // CommonJS packages inside an ES module still call require() for Node's built-ins.
    banner: {
      js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);",
    },
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const file = join(outDir, 'main.mjs');
  const full = readFileSync(`${tmp}.map`, 'utf8');
  // The whole map, for tools that read positions after the fact (the bench's CPU profiles); no
  // sourceMappingURL names it, so a running app never loads it.
  writeFileSync(`${tmp}.all.map`, full);
  renameSync(`${tmp}.all.map`, join(outDir, FULL_MAP_FILE));
  const map = ownSourcesOnly(JSON.parse(full) as RawSourceMap);
  map.file = 'main.mjs';
  writeFileSync(`${tmp}.map`, JSON.stringify(map));
  const code = `${readFileSync(tmp, 'utf8').trimEnd()}\n//# sourceMappingURL=main.mjs.map\n`;
  writeFileSync(tmp, code);
  copyRuntimeFiles(root, outDir, result.metafile);
  renameSync(`${tmp}.map`, `${file}.map`);
  renameSync(tmp, file);
  return {
    app: appDir,
    file: relative(root, file),
    bytes: Buffer.byteLength(code),
    mapBytes: Buffer.byteLength(JSON.stringify(map)),
    ms: performance.now() - started,
  };
}

/** Bundles several apps one after the other (esbuild is itself parallel). */
export async function bundleApps(root: string, appDirs: readonly string[]): Promise<BundleResult[]> {
  const results: BundleResult[] = [];
  for (const dir of appDirs) results.push(await bundleApp(root, dir));
  return results;
}

/**
 * Files a bundled package reads relative to its own module at run time: @platformatic/wasm-utils
 * loads `new URL('../dist/native.wasm', import.meta.url)`, which from `<app>/dist/main.mjs` is
 * `<app>/dist/native.wasm`.
 */
function copyRuntimeFiles(root: string, outDir: string, metafile: Metafile): void {
  const wasmUtils = Object.keys(metafile.inputs).find((p) =>
    p.endsWith('node_modules/@platformatic/wasm-utils/dist/index.js'),
  );
  if (wasmUtils) copyFileSync(join(root, dirname(wasmUtils), 'native.wasm'), join(outDir, 'native.wasm'));
}

export interface RawSourceMap {
  version: number;
  file?: string;
  sources: string[];
  names: string[];
  mappings: string;
  sourceRoot?: string;
  sourcesContent?: (string | null)[];
}

/** Is this source one of ours (a workspace's file), not a package under node_modules? */
export function isOwnSource(source: string): boolean {
  return !source.split('/').includes('node_modules');
}

/**
 * Keeps the segments that map to our sources, the first of each line of a source within a generated
 * line. Where a library's code follows ours on the same line
 * or a later one, a segment without a source ends our mapping (a lookup takes the nearest segment
 * before a position, which would otherwise name our last line for the library's frames).
 */
export function ownSourcesOnly(map: RawSourceMap): RawSourceMap {
  const kept = new Map<number, number>();
  const sources: string[] = [];
  map.sources.forEach((source, index) => {
    if (!isOwnSource(source)) return;
    kept.set(index, sources.length);
    sources.push(source);
  });
  const usedNames = new Map<number, number>();
  const names: string[] = [];
  // The source and line of the last segment kept ('' when it ended our mapping).
  let last = '';
  const lines: SourceMapMappings = decode(map.mappings).map((line) => {
    const out: SourceMapSegment[] = [];
    for (const segment of line) {
      const own = segment.length >= 4 ? kept.get(segment[1] as number) : undefined;
      if (own === undefined) {
        if (last !== '') out.push([segment[0]]);
        last = '';
        continue;
      }
      // One segment per line of our source: a stack frame needs the line, not the column, and the
      // heap then holds several times fewer entries.
      const position = `${own}:${segment[2]}`;
      if (position === last && out.length > 0) continue;
      last = position;
      if (segment.length === 5) {
        let name = usedNames.get(segment[4]);
        if (name === undefined) {
          name = names.length;
          usedNames.set(segment[4], name);
          names.push(map.names[segment[4]] ?? '');
        }
        out.push([segment[0], own, segment[2], segment[3], name]);
      } else {
        out.push([segment[0], own, segment[2] as number, segment[3] as number]);
      }
    }
    return out;
  });
  return { version: map.version, sources, names, mappings: encode(lines) };
}
