// `npm run build`: the production build of every app (the three services and the console), one ES
// module each, bundled with esbuild by @kafka-poc/local-stack's bundleApps: services/order-service/src/
// main.ts → services/order-service/dist/main.mjs (+ its source map, + the files it reads beside
// itself). dist/ sits beside migrations/ exactly like src/ does, so paths relative to the module hold.
// npm start, the bench, the chaos campaign and the process tests build and run the same files; the
// Dockerfile runs this, then image-tree.ts. Type checking is `npm run typecheck`'s job, not this one's.
import { buildApps, SERVICES } from '@kafka-poc/local-stack';
import { listApps, REPO_ROOT } from './workspaces.ts';

export async function build(root: string = REPO_ROOT): Promise<string[]> {
  const apps = listApps(root).map((a) => a.dir);
  const registered = SERVICES.map((s) => s.dir);
  const unregistered = apps.filter((dir) => !registered.includes(dir));
  if (unregistered.length > 0) {
    throw new Error(`apps missing from @kafka-poc/local-stack's SERVICES: ${unregistered.join(', ')}`);
  }
  const results = await buildApps(root, (m) => process.stdout.write(`build: ${m}\n`));
  return results.map((r) => r.file);
}

if (import.meta.main) {
  try {
    const files = await build();
    process.stdout.write(`  ${files.join('\n  ')}\n`);
  } catch (error) {
    process.stderr.write(`build: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
