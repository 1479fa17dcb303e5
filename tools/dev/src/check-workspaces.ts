// Our own check of the *declared* workspace graph (package.json), which dependency-cruiser does not
// see: it checks imports module by module (.dependency-cruiser.cjs); this checks that the packages'
// declared dependencies follow the layers, form no cycle, and that every `exports` entry resolves.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@kafka-poc/local-stack';

interface Workspace {
  dir: string;
  layer: string;
  name: string;
  deps: string[];
  exports: Record<string, string>;
}

/** Which layers each layer may depend on. */
const ALLOWED: Record<string, string[]> = {
  packages: ['packages'],
  services: ['packages'],
  apps: ['packages', 'services'],
  tools: ['packages', 'services'],
};

function readWorkspaces(root: string): Workspace[] {
  return Object.keys(ALLOWED).flatMap((layer) =>
    readdirSync(join(root, layer), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, layer, entry.name, 'package.json')))
      .map((entry) => {
        const dir = join(layer, entry.name);
        const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
        const deps = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
        const exports = typeof manifest.exports === 'string' ? { '.': manifest.exports } : manifest.exports;
        return { dir, layer, name: manifest.name, deps, exports: exports ?? {} };
      }),
  );
}

export function workspaceProblems(workspaces: Workspace[], exists: (path: string) => boolean): string[] {
  const byName = new Map(workspaces.map((w) => [w.name, w]));
  const problems: string[] = [];
  for (const w of workspaces) {
    for (const [entry, target] of Object.entries(w.exports)) {
      if (!exists(join(w.dir, target)))
        problems.push(`${w.name}: exports "${entry}" → ${target} does not exist`);
    }
    for (const dep of w.deps) {
      const target = byName.get(dep);
      if (target && !ALLOWED[w.layer]?.includes(target.layer)) {
        problems.push(`${w.name} (${w.layer}) depends on ${dep} (${target.layer}): not allowed`);
      }
    }
  }
  const cycle = findCycle(workspaces, byName);
  if (cycle) problems.push(`dependency cycle: ${cycle.join(' → ')}`);
  return problems;
}

/**
 * Folders of packages/, services/, apps/ and tools/ that README's "Repository layout" block does not
 * name (a workspace added without a line there, as tools/compose-check once was).
 */
export function unnamedInLayout(readme: string, folders: string[]): string[] {
  const block = /## Repository layout[\s\S]*?```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const words = new Set(block.split(/[\s/·,()]+/).filter(Boolean));
  return folders.filter((folder) => !words.has(folder.split('/').at(-1) ?? folder));
}

function findCycle(workspaces: Workspace[], byName: Map<string, Workspace>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const dep of byName.get(name)?.deps ?? []) {
      if (!byName.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const w of workspaces) {
    const cycle = visit(w.name);
    if (cycle) return cycle;
  }
  return undefined;
}

if (import.meta.main) {
  const root = repoRoot();
  const workspaces = readWorkspaces(root);
  const problems = workspaceProblems(workspaces, (path) => existsSync(join(root, path)));
  const folders = Object.keys(ALLOWED).flatMap((layer) =>
    readdirSync(join(root, layer), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${layer}/${entry.name}`),
  );
  for (const folder of unnamedInLayout(readFileSync(join(root, 'README.md'), 'utf8'), folders))
    problems.push(`${folder}: not named in README.md's "Repository layout"`);
  for (const problem of problems) console.error(`✖ ${problem}`);
  if (problems.length > 0) process.exit(1);
  console.log(`✔ ${workspaces.length} workspaces: layers, exports and no cycles`);
}
