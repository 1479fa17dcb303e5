import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The monorepo root (this file is tools/deploy-check/src/workspaces.ts). */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');

export interface PackageJson {
  name: string;
  version?: string;
  private?: boolean;
  type?: string;
  exports?: unknown;
  main?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  workspaces?: string[];
}

export interface Workspace {
  name: string;
  /** Relative to the repo root, with forward slashes: `services/order-service`. */
  dir: string;
  pkg: PackageJson;
}

export function readPackageJson(file: string): PackageJson {
  return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
}

/** The npm workspaces of the repo (root package.json "workspaces", one-level globs like `packages/*`). */
export function listWorkspaces(root: string = REPO_ROOT): Workspace[] {
  const patterns = readPackageJson(join(root, 'package.json')).workspaces ?? [];
  const found: Workspace[] = [];
  for (const pattern of patterns) {
    const [group, star, ...rest] = pattern.split('/');
    if (!group || star !== '*' || rest.length > 0) {
      throw new Error(`unsupported workspaces pattern ${pattern} (expected <dir>/*)`);
    }
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of readdirSync(groupDir, { withFileTypes: true })) {
      const manifest = join(groupDir, entry.name, 'package.json');
      if (entry.isDirectory() && existsSync(manifest)) {
        found.push({
          name: readPackageJson(manifest).name,
          dir: `${group}/${entry.name}`,
          pkg: readPackageJson(manifest),
        });
      }
    }
  }
  return found.sort((a, b) => a.dir.localeCompare(b.dir));
}

/** The apps that get an image: a workspace of services/ or apps/ with a src/main.ts entry. */
export function listApps(root: string = REPO_ROOT): Workspace[] {
  return listWorkspaces(root).filter(
    (w) => /^(services|apps)\//.test(w.dir) && existsSync(join(root, w.dir, 'src', 'main.ts')),
  );
}

/** App name as used by the Dockerfile's APP build argument: the directory name (`order-service`). */
export function appName(w: Workspace): string {
  return w.dir.slice(w.dir.indexOf('/') + 1);
}

/** A workspace and every workspace it depends on (production dependencies), the workspace first. */
export function workspaceClosure(start: Workspace, all: Workspace[]): Workspace[] {
  const byName = new Map(all.map((w) => [w.name, w]));
  const seen = new Map<string, Workspace>();
  const visit = (w: Workspace) => {
    if (seen.has(w.name)) return;
    seen.set(w.name, w);
    for (const dep of Object.keys(w.pkg.dependencies ?? {})) {
      const target = byName.get(dep);
      if (target) visit(target);
    }
  };
  visit(start);
  return [...seen.values()];
}
