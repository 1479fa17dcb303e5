// `node tools/deploy-check/src/image-tree.ts <out-dir> [app…]` (run by the Dockerfile after
// `npm run build`): for each app, writes <out-dir>/<app>/ with what the image needs besides
// node_modules: the app and the workspaces it depends on, each as package.json + dist/ + its runtime
// files (migrations/, web/, …; not src/ or tests), and main.mjs, the image's entry point. The copied
// package.json files point "exports" at dist/*.js instead of src/*.ts: in the image only, never in the
// checkout (dev and tests keep resolving the .ts sources).
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  appName,
  listApps,
  listWorkspaces,
  type PackageJson,
  REPO_ROOT,
  type Workspace,
  workspaceClosure,
} from './workspaces.ts';

/**
 * Sources an app reads at run time, copied beside dist/: the console serves src/shared/ (with web/) to
 * the browser, type-stripped on the fly.
 */
const RUNTIME_SOURCES: Record<string, string[]> = { 'apps/console': ['src/shared'] };

/** Entries of a workspace directory that never go into an image. */
const SOURCE_ONLY = [
  /^src$/,
  /^tests?$/,
  /^node_modules$/,
  /^dist$/,
  /^\./,
  /\.tsx?$/,
  /^tsconfig.*\.json$/,
  /\.md$/,
];

/** `./src/x.ts` → `./dist/x.js`, through nested conditional exports. */
export function toDistExports(exports: unknown): unknown {
  if (typeof exports === 'string') {
    const m = /^\.\/src\/(.+)\.(m?)tsx?$/.exec(exports);
    return m ? `./dist/${m[1]}.${m[2]}js` : exports;
  }
  if (Array.isArray(exports)) return exports.map(toDistExports);
  if (exports && typeof exports === 'object') {
    return Object.fromEntries(Object.entries(exports).map(([k, v]) => [k, toDistExports(v)]));
  }
  return exports;
}

/** The package.json a workspace gets inside the image: runtime fields only, exports on dist/. */
export function imagePackageJson(pkg: PackageJson): PackageJson {
  const out: PackageJson = { name: pkg.name };
  if (pkg.version) out.version = pkg.version;
  out.private = true;
  if (pkg.type) out.type = pkg.type;
  if (pkg.exports !== undefined) out.exports = toDistExports(pkg.exports);
  if (pkg.main) out.main = toDistExports(pkg.main) as string;
  if (pkg.dependencies) out.dependencies = pkg.dependencies;
  return out;
}

function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (Array.isArray(exports)) return exports.flatMap(exportTargets);
  if (exports && typeof exports === 'object') return Object.values(exports).flatMap(exportTargets);
  return [];
}

function dropExportTarget(exports: unknown, target: string): unknown {
  if (exports === target) return undefined;
  if (exports && typeof exports === 'object' && !Array.isArray(exports)) {
    const kept = Object.entries(exports)
      .map(([k, v]) => [k, dropExportTarget(v, target)] as const)
      .filter(([, v]) => v !== undefined);
    return kept.length > 0 ? Object.fromEntries(kept) : undefined;
  }
  return exports;
}

export function writeImageTree(
  app: Workspace,
  all: Workspace[],
  out: string,
  root: string = REPO_ROOT,
): string[] {
  rmSync(out, { recursive: true, force: true });
  const closure = workspaceClosure(app, all);
  for (const w of closure) {
    const from = join(root, w.dir);
    const to = join(out, w.dir);
    if (!existsSync(join(from, 'dist'))) {
      throw new Error(`${w.dir}/dist is missing: run \`npm run build\` first`);
    }
    mkdirSync(to, { recursive: true });
    const pkg = imagePackageJson(w.pkg);
    cpSync(join(from, 'dist'), join(to, 'dist'), { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      if (entry.name === 'package.json' || SOURCE_ONLY.some((re) => re.test(entry.name))) continue;
      if (entry.isDirectory()) cpSync(join(from, entry.name), join(to, entry.name), { recursive: true });
      else if (entry.isFile()) copyFileSync(join(from, entry.name), join(to, entry.name));
    }
    for (const path of RUNTIME_SOURCES[w.dir] ?? []) {
      if (existsSync(join(from, path))) {
        cpSync(join(from, path), join(to, path), { recursive: true, filter: (f) => !/\.test\.ts$/.test(f) });
      }
    }
    // An export whose source exists must exist compiled; one that already dangles in the checkout
    // (an app's unused "./src/index.ts") is left out.
    const sourceTargets = exportTargets(w.pkg.exports);
    const distTargets = exportTargets(pkg.exports);
    sourceTargets.forEach((source, i) => {
      const target = distTargets[i];
      if (!target?.startsWith('./') || existsSync(join(to, target))) return;
      if (existsSync(join(from, source))) {
        throw new Error(`${w.dir}: export ${source} has no compiled ${target} after the build`);
      }
      pkg.exports = dropExportTarget(pkg.exports, target);
    });
    writeFileSync(join(to, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  }
  if (!existsSync(join(out, app.dir, 'dist', 'main.js'))) {
    throw new Error(`${app.dir}/dist/main.js is missing after the build`);
  }
  writeFileSync(
    join(out, 'main.mjs'),
    `// Entry point of the ${appName(app)} image (written by tools/deploy-check/src/image-tree.ts).\nimport './${app.dir}/dist/main.js';\n`,
  );
  return closure.map((w) => w.dir);
}

if (import.meta.main) {
  const [outArg, ...names] = process.argv.slice(2);
  if (!outArg) {
    process.stderr.write('usage: image-tree.ts <out-dir> [app…]\n');
    process.exit(2);
  }
  try {
    const all = listWorkspaces();
    const apps = listApps();
    const selected = names.length > 0 ? names : apps.map(appName);
    for (const name of selected) {
      const app = apps.find((a) => appName(a) === name);
      if (!app) throw new Error(`unknown app ${name} (apps: ${apps.map(appName).join(', ')})`);
      const dirs = writeImageTree(app, all, join(outArg, name));
      process.stdout.write(`image-tree: ${name}: ${dirs.join(', ')}\n`);
    }
  } catch (error) {
    process.stderr.write(`image-tree: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
