// Kept now that `npm run compose:check` builds the images for real: BuildKit's parse and lint (what
// Docker users build with; the real build here is buildah) and the runtime-stage rules below.
// The Dockerfile as BuildKit parses it (deploy-check-go dockerfile), and the static checks on it:
// the runtime stage runs as a non-root user with a HEALTHCHECK on /health/ready that knows every
// app's port, and an exec-form CMD.
import { APP_NODE_FLAGS } from '@kafka-poc/local-stack';
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

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Checks on the image the last stage produces: based on Node 24 slim, a non-root USER, a HEALTHCHECK
 * on /health/ready that knows the port of every app, an exec-form CMD that runs the build with the
 * apps' Node flags.
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
  else {
    const expected = ['node', ...APP_NODE_FLAGS, 'main.mjs'];
    if ((cmd.args ?? []).join(' ') !== expected.join(' ')) {
      problems.push(
        `the runtime stage's CMD is ${JSON.stringify(cmd.args ?? [])}, expected ${JSON.stringify(expected)} (the flags every launcher uses: @kafka-poc/local-stack APP_NODE_FLAGS)`,
      );
    }
  }
  return problems;
}
