// `node tools/deploy-check/src/image-tree.ts <out-dir> [app…]` (run by the Dockerfile after
// `npm run build`): for each app, writes <out-dir>/<app>/ with what the image needs besides
// node_modules: the app's build (<app-dir>/dist/: main.mjs, its source map, the files it reads beside
// itself), the app's runtime files (migrations/, web/, …; not src/ or tests) and main.mjs, the
// image's entry point. The bundle holds the workspaces and the packages it uses; node_modules serves
// only what it leaves out (@local-stack's BUNDLE_EXTERNALS) and the console's browser libraries.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_FILE, FULL_MAP_FILE } from '@kafka-poc/local-stack';
import { appName, listApps, REPO_ROOT, type Workspace } from './workspaces.ts';

/**
 * Sources an app reads at run time, copied beside dist/: the console serves src/shared/ (with web/) to
 * the browser, type-stripped on the fly.
 */
const RUNTIME_SOURCES: Record<string, string[]> = { 'apps/console': ['src/shared'] };

/** Entries of an app directory that never go into an image. */
const SOURCE_ONLY = [
  /^src$/,
  /^tests?$/,
  /^node_modules$/,
  /^dist$/,
  /^\./,
  /\.tsx?$/,
  /^tsconfig.*\.json$/,
  /\.md$/,
  /^package\.json$/,
];

/** Files of dist/ that stay out of the image: the full source map (for the bench's CPU profiles), temp files. */
const staysLocal = (name: string): boolean => name === FULL_MAP_FILE || name.startsWith('.');

export function writeImageTree(app: Workspace, out: string, root: string = REPO_ROOT): string[] {
  rmSync(out, { recursive: true, force: true });
  const from = join(root, app.dir);
  const to = join(out, app.dir);
  if (!existsSync(join(from, BUNDLE_FILE))) {
    throw new Error(`${app.dir}/${BUNDLE_FILE} is missing: run \`npm run build\` first`);
  }
  mkdirSync(join(to, 'dist'), { recursive: true });
  const copied: string[] = [];
  for (const entry of readdirSync(join(from, 'dist'), { withFileTypes: true })) {
    if (!entry.isFile() || staysLocal(entry.name)) continue;
    copyFileSync(join(from, 'dist', entry.name), join(to, 'dist', entry.name));
    copied.push(`dist/${entry.name}`);
  }
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (SOURCE_ONLY.some((re) => re.test(entry.name))) continue;
    if (entry.isDirectory()) cpSync(join(from, entry.name), join(to, entry.name), { recursive: true });
    else if (entry.isFile()) copyFileSync(join(from, entry.name), join(to, entry.name));
    else continue;
    copied.push(entry.name);
  }
  for (const path of RUNTIME_SOURCES[app.dir] ?? []) {
    if (existsSync(join(from, path))) {
      cpSync(join(from, path), join(to, path), { recursive: true, filter: (f) => !/\.test\.ts$/.test(f) });
      copied.push(path);
    }
  }
  writeFileSync(
    join(out, 'main.mjs'),
    `// Entry point of the ${appName(app)} image (written by tools/deploy-check/src/image-tree.ts).\nimport './${app.dir}/${BUNDLE_FILE}';\n`,
  );
  return copied;
}

if (import.meta.main) {
  const [outArg, ...names] = process.argv.slice(2);
  if (!outArg) {
    process.stderr.write('usage: image-tree.ts <out-dir> [app…]\n');
    process.exit(2);
  }
  try {
    const apps = listApps();
    const selected = names.length > 0 ? names : apps.map(appName);
    for (const name of selected) {
      const app = apps.find((a) => appName(a) === name);
      if (!app) throw new Error(`unknown app ${name} (apps: ${apps.map(appName).join(', ')})`);
      const copied = writeImageTree(app, join(outArg, name));
      process.stdout.write(`image-tree: ${name}: ${app.dir}/{${copied.join(', ')}}\n`);
    }
  } catch (error) {
    process.stderr.write(`image-tree: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
