import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_IMAGE } from './base-image.ts';
import { run, runOk } from './exec.ts';
import { fullName, type ImageRef } from './image-ref.ts';
import { provisionFor, REPO_ROOT, recipeContext, recipeFiles, type StandInRecipe } from './standins.ts';

export const RECIPE_LABEL = 'org.kafka-poc.recipe';
export const STAND_IN_LABEL = 'org.kafka-poc.stand-in';

export interface ImageOutcome {
  ref: string;
  kind: 'real' | 'stand-in' | 'unavailable';
  /** Why it is what it is (pulled, present, built from…, cannot be provided because…). */
  detail: string;
}

export interface ImageContext {
  env: NodeJS.ProcessEnv;
  cache: string;
  logDir: string;
  log: (line: string) => void;
}

/** The cache key of a stand-in: its recipe files, its build inputs and the base image. */
export function recipeHash(recipe: StandInRecipe): string {
  const hash = createHash('sha256');
  for (const f of recipeFiles(recipe.recipe)) hash.update(`${f.path}\0${f.content}\0`);
  hash.update(`${recipe.identity}\0${BASE_IMAGE}`);
  return hash.digest('hex').slice(0, 16);
}

async function labels(ref: string, env: NodeJS.ProcessEnv): Promise<Record<string, string> | undefined> {
  const inspect = await run('podman', ['image', 'inspect', '--format', '{{json .Labels}}', ref], { env });
  if (inspect.code !== 0) return undefined;
  return (JSON.parse(inspect.stdout.trim() || 'null') as Record<string, string> | null) ?? {};
}

async function buildStandIn(
  ref: ImageRef,
  recipe: StandInRecipe,
  hash: string,
  ctx: ImageContext,
): Promise<void> {
  const context = recipeContext(recipe.recipe, join(ctx.cache, 'contexts'));
  await recipe.prepare(context, ctx.log);
  const args = Object.entries({ BASE_IMAGE, ...recipe.args }).flatMap(([k, v]) => [
    '--build-arg',
    `${k}=${v}`,
  ]);
  const logFile = join(ctx.logDir, `stand-in-${recipe.recipe}.log`);
  ctx.log(`podman build ${fullName(ref)} from standins/${recipe.recipe} (log: ${logFile})`);
  await runOk(
    'podman',
    [
      'build',
      '--format',
      'docker',
      ...args,
      '--label',
      `${RECIPE_LABEL}=${hash}`,
      '-t',
      fullName(ref),
      context,
    ],
    {
      env: ctx.env,
      timeoutMs: 1_800_000,
      logFile,
    },
  );
}

/** The gist of a failed pull: "registry-1.docker.io unreachable", else the error's last line. */
export function pullFailure(output: string): string {
  const registry = /pinging container registry ([^:\s]+)/.exec(output)?.[1];
  if (registry) return `registry ${registry} unreachable`;
  return output.trim().split('\n').pop()?.slice(0, 160) ?? 'pull failed';
}

/**
 * Provides a third-party image: the real one when present or pullable, else a stand-in built here
 * (cached under its recipe hash), else says why it cannot be provided.
 */
export async function provideImage(ref: ImageRef, ctx: ImageContext): Promise<ImageOutcome> {
  const name = fullName(ref);
  const present = await labels(name, ctx.env);
  if (present && !present[STAND_IN_LABEL])
    return { ref: ref.written, kind: 'real', detail: 'present in local storage' };
  const provision = await provisionFor(ref);
  if (present && provision.kind === 'stand-in' && present[RECIPE_LABEL] === recipeHash(provision.recipe)) {
    return { ref: ref.written, kind: 'stand-in', detail: `${provision.recipe.source} (cached build)` };
  }
  if (!present) {
    const pull = await run('podman', ['pull', '--quiet', name], { env: ctx.env, timeoutMs: 120_000 });
    if (pull.code === 0) return { ref: ref.written, kind: 'real', detail: 'pulled' };
    const why = pullFailure(pull.output);
    if (provision.kind === 'unavailable')
      return { ref: ref.written, kind: 'unavailable', detail: `${provision.reason} (pull: ${why})` };
    ctx.log(`${ref.written}: cannot be pulled (${why}); building a stand-in`);
  }
  if (provision.kind === 'unavailable')
    return { ref: ref.written, kind: 'unavailable', detail: provision.reason };
  const started = performance.now();
  await buildStandIn(ref, provision.recipe, recipeHash(provision.recipe), ctx);
  const took = ((performance.now() - started) / 1000).toFixed(0);
  return { ref: ref.written, kind: 'stand-in', detail: `${provision.recipe.source} (built in ${took} s)` };
}

/** Size of a local image, for the report. */
export async function imageSize(ref: string, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await run('podman', ['image', 'inspect', '--format', '{{.Size}}', ref], { env });
  const bytes = Number(r.stdout.trim());
  return Number.isFinite(bytes) && bytes > 0 ? `${(bytes / 1e6).toFixed(0)} MB` : '?';
}

/**
 * `docker build --build-arg APP=<app> -t <image> .` with podman, from the repository's Dockerfile.
 * One at a time: the four builds share the build stage, so the first pays for it and the rest reuse it.
 */
export async function buildProjectImage(app: string, image: string, ctx: ImageContext): Promise<string> {
  const logFile = join(ctx.logDir, `build-${app}.log`);
  mkdirSync(ctx.logDir, { recursive: true });
  const started = performance.now();
  let cached = 0;
  let steps = 0;
  await runOk('podman', ['build', '--format', 'docker', '--build-arg', `APP=${app}`, '-t', image, '.'], {
    cwd: REPO_ROOT,
    env: ctx.env,
    timeoutMs: 1_800_000,
    logFile,
    onLine: (line) => {
      if (/^\[\d+\/\d+\] STEP /.test(line)) steps++;
      if (line.startsWith('--> Using cache')) cached++;
    },
  });
  const took = ((performance.now() - started) / 1000).toFixed(0);
  return `${image}, ${await imageSize(image, ctx.env)}, ${took} s (${cached} of ${steps} steps cached; log ${logFile})`;
}
