// `node .deploy-check/prune-manifests.ts <app>`, run in /app by the Dockerfile's deps stage (which
// copies this file and workspaces.ts there, beside the workspace manifests): deletes the package.json
// of every workspace the app does not use, so that `npm ci --omit=dev --workspace @kafka-poc/<app>`
// installs what the app needs and nothing else. With every manifest present npm also installs the
// workspaces that others list as devDependencies (e.g. local-stack, with its 60 MB embedded
// PostgreSQL). The lockfile stays as it is: npm ci accepts it.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { appName, listWorkspaces, workspaceClosure } from './workspaces.ts';

const root = process.cwd();
const name = process.argv[2];
const all = listWorkspaces(root);
// Only manifests are here (no src/), so the app is found by its directory: services/<app> or apps/<app>.
const app = all.find((w) => /^(services|apps)\//.test(w.dir) && appName(w) === name);
if (!app) {
  process.stderr.write(`prune-manifests: unknown app ${name}\n`);
  process.exit(1);
}
const keep = new Set(workspaceClosure(app, all).map((w) => w.dir));
for (const w of all) {
  if (keep.has(w.dir)) continue;
  rmSync(join(root, w.dir, 'package.json'));
  if (readdirSync(join(root, w.dir)).length === 0) rmSync(join(root, w.dir), { recursive: true });
}
for (const group of new Set(all.map((w) => w.dir.split('/')[0] as string))) {
  const dir = join(root, group);
  if (existsSync(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
}
process.stdout.write(`prune-manifests: ${name} uses ${[...keep].join(', ')}\n`);
