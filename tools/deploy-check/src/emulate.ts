// Runs a Dockerfile's stages without Docker: each stage gets a directory standing for its root file
// system; WORKDIR, ARG, ENV and COPY (from the context or --from another stage) are applied to it and
// RUN commands run in it with the host's Node 24 and npm, so the install and build commands the
// Dockerfile runs are the ones that run here. What this cannot see: the base image's own files (its
// node, its users) and anything a RUN does with absolute paths, so the Dockerfile's RUNs stay relative.
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import {
  type DockerCommand,
  type DockerfileModel,
  type DockerStage,
  parseDockerfile,
  planContextCopy,
  stageOrder,
} from './dockerfile.ts';
import { run, runOrThrow } from './exec.ts';

export interface EmulatedStage {
  name: string;
  rootfs: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  cmd?: string[];
  healthcheck?: string[];
}

export interface EmulatorOptions {
  goTool: string;
  dockerfile: string;
  contextDir: string;
  contextFiles: string[];
  workRoot: string;
  log: (line: string) => void;
}

/** Host environment for RUN: no npm_* or NODE_OPTIONS leaking from the npm script that runs us. */
function hostEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^npm_/i.test(k) || k === 'NODE_OPTIONS' || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  // The Node this runs on (24, as in the image) first; not the repo's node_modules/.bin.
  const path = (env.PATH ?? '').split(':').filter((p) => p && !p.includes('node_modules/.bin'));
  env.PATH = [dirname(process.execPath), ...path].join(':');
  return env;
}

export class StageEmulator {
  readonly #options: EmulatorOptions;
  readonly #done = new Map<string, EmulatedStage>();
  #count = 0;

  constructor(options: EmulatorOptions) {
    this.#options = options;
  }

  /** Builds the last stage for these build args; stages whose args are the same are built once. */
  build(buildArgs: Record<string, string>): { image: EmulatedStage; model: DockerfileModel } {
    const model = parseDockerfile(this.#options.goTool, this.#options.dockerfile, buildArgs);
    const order = stageOrder(model, model.stages[model.stages.length - 1]?.name ?? '');
    const built = new Map<string, EmulatedStage>();
    let last: EmulatedStage | undefined;
    for (const stage of order) {
      last = this.#stage(model, stage, built);
      built.set(stage.name, last);
    }
    if (!last) throw new Error('nothing to build');
    return { image: last, model };
  }

  /** A stage's identity: its name and the ARG values of its FROM chain. */
  #key(model: DockerfileModel, stage: DockerStage): string {
    const byName = new Map(model.stages.map((s) => [s.name, s]));
    const args: Record<string, string>[] = [];
    for (let s: DockerStage | undefined = stage; s; s = byName.get(s.base)) {
      for (const c of s.commands) if (c.kind === 'arg') args.push(c.vars ?? {});
      for (const c of s.commands)
        if (c.from && byName.get(c.from))
          args.push({ from: this.#key(model, byName.get(c.from) as DockerStage) });
    }
    return `${stage.name}:${JSON.stringify(args)}`;
  }

  #stage(model: DockerfileModel, stage: DockerStage, built: Map<string, EmulatedStage>): EmulatedStage {
    const key = this.#key(model, stage);
    const cached = this.#done.get(key);
    if (cached) return cached;
    const rootfs = join(
      this.#options.workRoot,
      `${String(++this.#count).padStart(2, '0')}-${stage.name || 'stage'}`,
      'rootfs',
    );
    const base = built.get(stage.base);
    let state: EmulatedStage;
    if (base) {
      mkdirSync(dirname(rootfs), { recursive: true });
      runOrThrow('cp', ['-a', base.rootfs, rootfs]);
      state = { ...base, name: stage.name, rootfs, env: { ...base.env } };
    } else {
      mkdirSync(rootfs, { recursive: true });
      state = { name: stage.name, rootfs, workdir: '/', env: {} };
    }
    const args: Record<string, string> = {};
    this.#options.log(`stage ${stage.name} (FROM ${stage.base})`);
    for (const cmd of stage.commands) this.#apply(cmd, state, args, built);
    this.#done.set(key, state);
    return state;
  }

  #path(state: EmulatedStage, containerPath: string): string {
    const abs = posix.resolve(state.workdir, containerPath);
    return join(state.rootfs, abs);
  }

  #apply(
    cmd: DockerCommand,
    state: EmulatedStage,
    args: Record<string, string>,
    built: Map<string, EmulatedStage>,
  ) {
    const where = `line ${cmd.line}`;
    switch (cmd.kind) {
      case 'workdir':
        state.workdir = posix.resolve(state.workdir, cmd.value ?? '/');
        mkdirSync(this.#path(state, '.'), { recursive: true });
        return;
      case 'arg':
        Object.assign(args, cmd.vars ?? {});
        return;
      case 'env':
        Object.assign(state.env, cmd.vars ?? {});
        return;
      case 'user':
        if (cmd.value) state.user = cmd.value;
        return;
      case 'cmd':
      case 'entrypoint':
        state.cmd = cmd.args ?? [];
        return;
      case 'healthcheck':
        state.healthcheck = cmd.args ?? [];
        return;
      case 'copy':
      case 'add':
        if (cmd.from) this.#copyFromStage(cmd, state, built);
        else this.#copyFromContext(cmd, state);
        return;
      case 'run': {
        for (const m of cmd.mounts ?? []) {
          if (m.type !== 'cache')
            throw new Error(`${where}: RUN --mount=type=${m.type} is not emulated (only cache mounts)`);
        }
        const argv = cmd.shell ? ['/bin/sh', '-c', (cmd.args ?? []).join(' ')] : (cmd.args ?? []);
        const [command, ...rest] = argv;
        if (!command) throw new Error(`${where}: empty RUN`);
        this.#options.log(`  RUN ${argv.slice(cmd.shell ? 2 : 0).join(' ')}`);
        const started = performance.now();
        const result = run(command, rest, {
          cwd: this.#path(state, '.'),
          env: { ...hostEnv(), ...args, ...state.env },
          timeoutMs: 20 * 60_000,
        });
        if (result.status !== 0) {
          const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-25).join('\n');
          throw new Error(`${where}: ${cmd.text} exited with ${result.status}\n${tail}`);
        }
        this.#options.log(`    ok (${((performance.now() - started) / 1000).toFixed(1)} s)`);
        return;
      }
      default:
        // LABEL, EXPOSE, STOPSIGNAL, SHELL, VOLUME, ONBUILD: nothing to do on a file system.
        return;
    }
  }

  #copyFromContext(cmd: DockerCommand, state: EmulatedStage) {
    const dest = cmd.dest ?? '.';
    const { entries, unmatched } = planContextCopy(
      cmd.sources ?? [],
      dest,
      cmd.parents ?? false,
      this.#options.contextFiles,
    );
    if (unmatched.length > 0)
      throw new Error(`line ${cmd.line}: COPY sources not in the context: ${unmatched.join(', ')}`);
    for (const { file, target } of entries) {
      const to = target === '' ? this.#path(state, dest) : this.#path(state, posix.join(dest, target));
      mkdirSync(dirname(to), { recursive: true });
      cpSync(join(this.#options.contextDir, file), to, { verbatimSymlinks: true });
    }
  }

  #copyFromStage(cmd: DockerCommand, state: EmulatedStage, built: Map<string, EmulatedStage>) {
    const from = built.get(cmd.from ?? '');
    if (!from) throw new Error(`line ${cmd.line}: COPY --from=${cmd.from}: only earlier stages are emulated`);
    const dest = this.#path(state, cmd.dest ?? '.');
    for (const source of cmd.sources ?? []) {
      if (/[*?[]/.test(source))
        throw new Error(`line ${cmd.line}: wildcards in COPY --from are not emulated`);
      const src = join(from.rootfs, posix.resolve(from.workdir, source));
      if (!existsSync(src)) {
        throw new Error(
          `line ${cmd.line}: COPY --from=${cmd.from} ${source}: not found in stage ${cmd.from}`,
        );
      }
      if (statSync(src).isDirectory()) {
        mkdirSync(dest, { recursive: true });
        if (readdirSync(src).length === 0) continue;
        runOrThrow('cp', ['-a', `${src}/.`, `${dest}/`]);
      } else {
        const to = (cmd.dest ?? '').endsWith('/') ? join(dest, posix.basename(source)) : dest;
        mkdirSync(dirname(to), { recursive: true });
        runOrThrow('cp', ['-a', src, to]);
      }
    }
  }
}

/** Total size of a directory tree in bytes (files and symlinks as stored, like `du -sb`). */
export function treeSize(dir: string): number {
  const out = run('du', ['-sb', dir]).stdout;
  return Number(out.split(/\s+/)[0] ?? 0);
}
