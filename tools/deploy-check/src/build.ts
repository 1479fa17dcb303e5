// `npm run build`: compiles the workspaces that ship in images to JavaScript with tsc
// (tsconfig.build.json: packages/*/src, services/*/src, apps/*/src, tests excluded), one dist/ per
// workspace: services/order-service/src/app.ts → services/order-service/dist/app.js. Relative imports
// are rewritten from .ts to .js (rewriteRelativeImportExtensions), so dist/ sits beside migrations/
// exactly like src/ does. Dev and tests keep running the .ts sources through the workspaces' "exports"
// (./src/index.ts); only the images switch them to dist/ (image-tree.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { listWorkspaces, REPO_ROOT } from './workspaces.ts';

export function build(root: string = REPO_ROOT): string[] {
  const staging = join(root, 'dist');
  const workspaces = listWorkspaces(root);
  rmSync(staging, { recursive: true, force: true });
  for (const w of workspaces) rmSync(join(root, w.dir, 'dist'), { recursive: true, force: true });

  run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], root);

  const built: string[] = [];
  for (const w of workspaces) {
    const emitted = join(staging, w.dir, 'src');
    if (!existsSync(emitted)) continue;
    renameSync(emitted, join(root, w.dir, 'dist'));
    built.push(w.dir);
  }
  const leftovers = listFiles(staging).map((f) => relative(staging, f));
  rmSync(staging, { recursive: true, force: true });
  if (leftovers.length > 0) {
    throw new Error(`tsc emitted files outside any workspace's src/: ${leftovers.slice(0, 5).join(', ')}`);
  }
  // A workspace with a build step of its own (e.g. a front-end bundle) runs it after tsc.
  for (const w of workspaces) {
    if (built.includes(w.dir) && w.pkg.scripts?.build) run('npm', ['run', 'build', '-w', w.name], root);
  }
  return built;
}

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name));
}

if (import.meta.main) {
  const started = performance.now();
  try {
    const built = build();
    process.stdout.write(
      `build: ${built.length} workspaces compiled to <workspace>/dist in ${((performance.now() - started) / 1000).toFixed(1)} s\n  ${built.join('\n  ')}\n`,
    );
  } catch (error) {
    process.stderr.write(`build: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
