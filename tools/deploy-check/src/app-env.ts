// The environment an app is given by a deployment file, checked against the app's own config module
// (<app>/src/config.ts): every variable must be one the app reads (a typo is a silently ignored
// setting), and the app's loader must accept the values (what the container would do at start).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as configPackage from '@kafka-poc/config';
import { REPO_ROOT, type Workspace } from './workspaces.ts';

/** Variables the app's config module reads: its own keys and the shared shapes it spreads in. */
export function knownVariables(app: Workspace, root: string = REPO_ROOT): Set<string> {
  const source = readFileSync(join(root, app.dir, 'src', 'config.ts'), 'utf8');
  const known = new Set<string>();
  for (const m of source.matchAll(/^\s*([A-Z][A-Z0-9_]+)\s*:/gm)) known.add(m[1] as string);
  for (const m of source.matchAll(/\.\.\.\s*(\w+)\s*\(?/g)) {
    const name = m[1] as string;
    const shape = (configPackage as Record<string, unknown>)[name];
    if (shape && typeof shape === 'object') for (const key of Object.keys(shape)) known.add(key);
    if (typeof shape === 'function' && name === 'portShape') known.add('PORT');
  }
  return known;
}

type Loader = (env: Record<string, string | undefined>) => unknown;

async function findLoader(app: Workspace, root: string): Promise<Loader> {
  const mod = (await import(join(root, app.dir, 'src', 'config.ts'))) as Record<string, unknown>;
  const loader = Object.entries(mod).find(
    ([name, fn]) => typeof fn === 'function' && /^load\w*Config$/.test(name),
  );
  if (!loader) throw new Error(`${app.dir}/src/config.ts exports no load…Config function`);
  return loader[1] as Loader;
}

/**
 * Problems with the environment `env` given to `app` (values null/undefined are pass-through variables
 * that are unset unless the user sets them). `fileVariables` are allowed to be unreadable here (e.g.
 * API_KEYS_FILE pointing into a mounted Secret).
 */
export async function checkAppEnvironment(
  app: Workspace,
  env: Record<string, string | null | undefined>,
  options: { root?: string; fileVariables?: string[] } = {},
): Promise<string[]> {
  const root = options.root ?? REPO_ROOT;
  const known = knownVariables(app, root);
  const problems: string[] = [];
  for (const key of Object.keys(env)) {
    if (!known.has(key))
      problems.push(`${key} is not a variable ${app.name} reads (${app.dir}/src/config.ts)`);
  }
  const values: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== null && v !== undefined && !(options.fileVariables ?? []).includes(k)) values[k] = v;
  }
  try {
    await (await findLoader(app, root))(values);
  } catch (error) {
    problems.push(
      `${app.name} would refuse to start with this environment: ${(error as Error).message.replace(/\s+/g, ' ')}`,
    );
  }
  return problems;
}
