// `npm run check:deploy`: the Docker, Compose and Kubernetes files checked without a Docker engine or
// a cluster (CI runs it from .ci/run). What each check does: docs/deployment.md, "How the deployment
// files are checked". Options: --skip-images (no image builds, the slow part), --keep (keep the
// emulated image file systems and print where).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICES } from '@kafka-poc/local-stack';
import { COMPOSE_VARIANTS, checkCompose, loadCompose } from './compose.ts';
import { checkCopySources, checkRuntimeStage, listContext, parseDockerfile } from './dockerfile.ts';
import { checkDocCommands, checkDocumentedVariables } from './docs.ts';
import { type EmulatedStage, StageEmulator, treeSize } from './emulate.ts';
import { kubernetesCheck } from './kubernetes.ts';
import { provisionTools } from './provision.ts';
import { appName, listApps, REPO_ROOT, readPackageJson } from './workspaces.ts';

interface Outcome {
  name: string;
  problems: string[];
  detail?: string;
}

const outcomes: Outcome[] = [];
const args = new Set(process.argv.slice(2));
const log = (line: string) => process.stdout.write(`    ${line}\n`);

async function check(
  name: string,
  fn: () => Promise<string | undefined> | string | undefined,
  problems: string[] = [],
) {
  const started = performance.now();
  let detail: string | undefined;
  try {
    detail = await fn();
  } catch (error) {
    problems.push((error as Error).message);
  }
  const took = `${((performance.now() - started) / 1000).toFixed(1)} s`;
  outcomes.push({ name, problems: [...problems], detail: detail ? `${detail}, ${took}` : took });
  const mark = problems.length === 0 ? '✓' : '✗';
  process.stdout.write(`${mark} ${name} (${detail ? `${detail}, ` : ''}${took})\n`);
  for (const p of problems) process.stdout.write(`    ✗ ${p.replaceAll('\n', '\n      ')}\n`);
}

/**
 * Starts the image's CMD as the container would (its ENV, from its WORKDIR, with the host's Node 24)
 * but with Kafka and PostgreSQL unreachable: the app must load every module from compiled JS with
 * production dependencies only, get through its start-up to serving GET /health/live (it keeps
 * waiting for its dependencies), and stop on SIGTERM.
 */
async function smoke(image: EmulatedStage, app: string): Promise<string[]> {
  const [command, ...rest] = image.cmd ?? [];
  if (command !== 'node' || !rest[0]) return [`CMD ${JSON.stringify(image.cmd)} is not \`node <entry>\``];
  const cwd = join(image.rootfs, image.workdir);
  if (!existsSync(join(cwd, rest[0])))
    return [`entry ${image.workdir}/${rest[0]} does not exist in the image`];
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    ...image.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    KAFKA_BROKERS: '127.0.0.1:9',
    DATABASE_URL: 'postgres://app:app@127.0.0.1:9/appdb',
    AUTH_REQUIRED: 'false',
    CONSOLE_TOKEN: 'deploy-check-console-token',
    LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, rest, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += String(d)));
  child.stderr.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const excerpt = () => output.trim().split('\n').slice(0, 15).join('\n');
  let live = false;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline && child.exitCode === null; ) {
    live = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (live) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!live) {
    child.kill('SIGKILL');
    await exited;
    return [`${app} did not serve /health/live within 30 s:\n${excerpt()}`];
  }
  child.kill('SIGTERM');
  const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 25_000))]);
  if (code === 'hung') {
    child.kill('SIGKILL');
    return [`${app} did not stop within 25 s of SIGTERM`];
  }
  return [];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<number> {
  const started = performance.now();
  process.stdout.write('check:deploy: Dockerfile, compose files, Kubernetes manifests, docs/deployment.md\n');
  const tools = provisionTools(log);
  const apps = listApps();
  const dockerfile = join(REPO_ROOT, 'Dockerfile');
  const contextFiles = listContext(tools.go, REPO_ROOT);

  await check('Dockerfile: BuildKit parse and lint, COPY sources, runtime stage', () => {
    const problems: string[] = [];
    for (const app of apps) {
      const model = parseDockerfile(tools.go, dockerfile, { APP: appName(app) });
      problems.push(...model.warnings.map((w) => `APP=${appName(app)}: ${w}`));
      problems.push(...checkCopySources(model, contextFiles));
      const ports = SERVICES.filter((s) => apps.some((a) => appName(a) === s.name)).map((s) => ({
        name: s.name,
        port: s.defaultPort,
      }));
      problems.push(...checkRuntimeStage(model, ports));
    }
    if (problems.length > 0) throw new Error([...new Set(problems)].join('\n'));
    return `${apps.length} apps, ${contextFiles.length} files in the build context`;
  });

  for (const variant of COMPOSE_VARIANTS) {
    const problems: string[] = [];
    await check(
      `compose: ${variant.label}`,
      async () => {
        const project = loadCompose(tools.go, variant);
        problems.push(...(await checkCompose(project, variant, apps)));
        return `${Object.keys(project.services).length} services`;
      },
      problems,
    );
  }

  await check(
    'kubernetes: kustomize build, API schemas (strict), probes/config/Strimzi/CloudNativePG',
    async () => {
      const { problems, validated } = await kubernetesCheck(tools.go, tools.kubernetesValidate, apps);
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return `${validated} resource validations`;
    },
  );

  await check('docs/deployment.md and README.md: commands and variables match the files', () => {
    const docs = join(REPO_ROOT, 'docs', 'deployment.md');
    if (!existsSync(docs)) throw new Error('docs/deployment.md is missing');
    const services = new Set<string>();
    const profiles = new Set<string>();
    for (const variant of COMPOSE_VARIANTS) {
      for (const [name, s] of Object.entries(loadCompose(tools.go, variant).services)) {
        services.add(name);
        for (const p of s.profiles ?? []) profiles.add(p);
      }
    }
    const facts = {
      files: (p: string) => existsSync(join(REPO_ROOT, p)),
      composeServices: services,
      composeProfiles: profiles,
      npmScripts: new Set(Object.keys(readPackageJson(join(REPO_ROOT, 'package.json')).scripts ?? {})),
      apps: new Set(apps.map(appName)),
    };
    // The README's Docker section and docs/deployment.md: every command must match the files.
    const problems: string[] = [];
    let checked = 0;
    for (const file of [docs, join(REPO_ROOT, 'README.md')]) {
      const result = checkDocCommands(readFileSync(file, 'utf8'), facts);
      problems.push(...result.problems.map((p) => `${file.slice(REPO_ROOT.length + 1)}: ${p}`));
      checked += result.checked;
    }
    const composeTexts = ['docker-compose.yml', 'docker-compose.cluster.yml', 'docker-compose.scale.yml'].map(
      (f) => readFileSync(join(REPO_ROOT, f), 'utf8'),
    );
    const variables = checkDocumentedVariables(composeTexts, readFileSync(docs, 'utf8'));
    problems.push(...variables.problems);
    if (problems.length > 0) throw new Error(problems.join('\n'));
    return `${checked} commands, ${variables.checked} compose variables`;
  });

  if (args.has('--skip-images')) {
    process.stdout.write('- images: skipped (--skip-images)\n');
  } else {
    const workRoot = mkdtempSync(join(tmpdir(), 'deploy-check-images-'));
    const emulator = new StageEmulator({
      goTool: tools.go,
      dockerfile,
      contextDir: REPO_ROOT,
      contextFiles,
      workRoot,
      log,
    });
    try {
      for (const app of apps) {
        await check(
          `image APP=${appName(app)}: Dockerfile stages run, the app starts from compiled JS`,
          async () => {
            const { image } = emulator.build({ APP: appName(app) });
            const problems = await smoke(image, appName(app));
            if (problems.length > 0) throw new Error(problems.join('\n'));
            const appDir = join(image.rootfs, image.workdir);
            const total = treeSize(appDir);
            const modules = treeSize(join(appDir, 'node_modules'));
            return `/app ${mb(total)}: node_modules ${mb(modules)}, code and assets ${mb(total - modules)}`;
          },
        );
      }
    } finally {
      if (args.has('--keep')) process.stdout.write(`    image file systems kept in ${workRoot}\n`);
      else rmSync(workRoot, { recursive: true, force: true });
    }
  }

  const failed = outcomes.filter((o) => o.problems.length > 0);
  process.stdout.write(
    `check:deploy: ${outcomes.length - failed.length} of ${outcomes.length} checks ok${failed.length ? `, ${failed.length} failing` : ''} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
