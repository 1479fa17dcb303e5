// The Dockerfile as BuildKit parses it (deploy-check-go dockerfile), and the static checks on it:
// every COPY source exists in the build context (after .dockerignore), the runtime stage runs as a
// non-root user with a HEALTHCHECK on /health/ready, and the healthcheck knows every app's port.
import { runOrThrow } from './exec.ts';

export interface DockerCommand {
  kind: string;
  line: number;
  text: string;
  from?: string;
  parents?: boolean;
  sources?: string[];
  dest?: string;
  shell?: boolean;
  args?: string[];
  mounts?: { type: string; target: string }[];
  value?: string;
  vars?: Record<string, string>;
}

export interface DockerStage {
  name: string;
  base: string;
  line: number;
  commands: DockerCommand[];
}

export interface DockerfileModel {
  stages: DockerStage[];
  warnings: string[];
}

export function parseDockerfile(
  goTool: string,
  file: string,
  buildArgs: Record<string, string>,
): DockerfileModel {
  const args = Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  return JSON.parse(runOrThrow(goTool, ['dockerfile', ...args, file])) as DockerfileModel;
}

export function listContext(goTool: string, dir: string): string[] {
  return (JSON.parse(runOrThrow(goTool, ['context', dir])) as { files: string[] }).files;
}

/** Go's path.Match, which BuildKit uses for COPY sources: `*` and `?` stay within one path segment. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRegExp(pattern[++i] as string);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new Error(`unterminated [ in ${pattern}`);
      const body = pattern.slice(i + 1, end).replace(/^\^/, '!');
      re += `[${body.startsWith('!') ? `^/${body.slice(1)}` : body}]`;
      i = end;
    } else re += escapeRegExp(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function hasWildcard(source: string): boolean {
  return /[*?[]/.test(source);
}

/** A COPY source relative to the context root, without ./ or / prefixes and trailing slashes. */
export function normalizeSource(source: string): string {
  let s = source.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
  if (s === '.') s = '';
  return s;
}

export interface CopyPlanEntry {
  /** File in the context, relative to its root. */
  file: string;
  /** Path below the COPY destination. */
  target: string;
}

/**
 * What `COPY <sources> <dest>` copies from the context: a source that names a file copies that file
 * (to dest/ + its name when dest is a directory), a source that names a directory copies its contents,
 * --parents keeps each path as it is in the context.
 */
export function planContextCopy(
  sources: string[],
  dest: string,
  parents: boolean,
  files: string[],
): { entries: CopyPlanEntry[]; unmatched: string[] } {
  const entries: CopyPlanEntry[] = [];
  const unmatched: string[] = [];
  const destIsDir = dest.endsWith('/') || dest === '.' || sources.length > 1 || sources.some(hasWildcard);
  for (const source of sources) {
    const pattern = normalizeSource(source);
    const re = pattern === '' ? null : globToRegExp(pattern);
    let count = 0;
    for (const file of files) {
      if (re === null) {
        entries.push({ file, target: file });
        count++;
        continue;
      }
      if (re.test(file)) {
        const base = file.slice(file.lastIndexOf('/') + 1);
        entries.push({ file, target: parents ? file : destIsDir ? base : '' });
        count++;
        continue;
      }
      // A directory source: the longest matching directory prefix of the file.
      const parts = file.split('/');
      for (let n = parts.length - 1; n >= 1; n--) {
        const dir = parts.slice(0, n).join('/');
        if (re.test(dir)) {
          entries.push({ file, target: parents ? file : parts.slice(n).join('/') });
          count++;
          break;
        }
      }
    }
    if (count === 0) unmatched.push(source);
  }
  return { entries, unmatched };
}

/** Every COPY/ADD from the context (no --from) must copy something: returns the problems found. */
export function checkCopySources(model: DockerfileModel, files: string[]): string[] {
  const problems: string[] = [];
  for (const stage of model.stages) {
    for (const cmd of stage.commands) {
      if ((cmd.kind !== 'copy' && cmd.kind !== 'add') || cmd.from) continue;
      const sources = (cmd.sources ?? []).filter((s) => !/^(https?|git):\/\//.test(s));
      const { unmatched } = planContextCopy(sources, cmd.dest ?? '.', cmd.parents ?? false, files);
      for (const source of unmatched) {
        problems.push(
          `line ${cmd.line}: ${cmd.kind.toUpperCase()} source ${source} matches nothing in the build context (after .dockerignore)`,
        );
      }
    }
  }
  return problems;
}

/** The stages a stage needs (its FROM chain and COPY --from), in build order, itself last. */
export function stageOrder(model: DockerfileModel, target: string): DockerStage[] {
  const byName = new Map(model.stages.map((s) => [s.name, s]));
  const order: DockerStage[] = [];
  const visit = (stage: DockerStage, path: string[]) => {
    if (order.includes(stage)) return;
    if (path.includes(stage.name)) throw new Error(`stage cycle: ${[...path, stage.name].join(' → ')}`);
    const base = byName.get(stage.base);
    if (base) visit(base, [...path, stage.name]);
    for (const cmd of stage.commands) {
      const from = cmd.from ? byName.get(cmd.from) : undefined;
      if (from) visit(from, [...path, stage.name]);
    }
    order.push(stage);
  };
  const stage = byName.get(target) ?? model.stages[model.stages.length - 1];
  if (!stage) throw new Error('the Dockerfile has no stage');
  visit(stage, []);
  return order;
}

/** The external image a stage starts from (following FROM <stage> chains). */
export function baseImage(model: DockerfileModel, stage: DockerStage): string {
  const byName = new Map(model.stages.map((s) => [s.name, s]));
  let current = stage;
  for (;;) {
    const next = byName.get(current.base);
    if (!next) return current.base;
    current = next;
  }
}

/**
 * Checks on the image the last stage produces: based on Node 24 slim, a non-root USER, a HEALTHCHECK
 * on /health/ready that knows the port of every app, an exec-form CMD.
 */
export function checkRuntimeStage(model: DockerfileModel, apps: { name: string; port: number }[]): string[] {
  const problems: string[] = [];
  const runtime = model.stages[model.stages.length - 1];
  if (!runtime) return ['the Dockerfile has no stage'];
  const image = baseImage(model, runtime);
  if (!/^node:24([.\d]*)?-(bookworm-|trixie-)?slim(@sha256:[0-9a-f]+)?$/.test(image)) {
    problems.push(`the runtime stage is based on ${image}, expected node:24-slim (or node:24-<debian>-slim)`);
  }
  const user = [...runtime.commands].reverse().find((c) => c.kind === 'user')?.value;
  if (!user || /^(root|0)(:|$)/.test(user)) problems.push('the runtime stage must switch to a non-root USER');
  const health = runtime.commands.find((c) => c.kind === 'healthcheck');
  const test = health?.args?.join(' ') ?? '';
  if (!test.includes('/health/ready'))
    problems.push('the runtime stage needs a HEALTHCHECK on /health/ready');
  for (const app of apps) {
    const m = new RegExp(`'?${escapeRegExp(app.name)}'?\\s*:\\s*(\\d+)`).exec(test);
    if (!m) problems.push(`HEALTHCHECK has no port for ${app.name}`);
    else if (Number(m[1]) !== app.port) {
      problems.push(`HEALTHCHECK port of ${app.name} is ${m[1]}, its default port is ${app.port}`);
    }
  }
  const cmd = [...runtime.commands].reverse().find((c) => c.kind === 'cmd' || c.kind === 'entrypoint');
  if (!cmd || cmd.shell)
    problems.push('the runtime stage needs an exec-form CMD (node as PID 1 gets SIGTERM)');
  return problems;
}
