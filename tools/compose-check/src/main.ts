// `npm run compose:check`: the Docker path, for real, on a machine without Docker. Builds every image
// of the project from the Dockerfile with podman, provides the third-party images (the real ones when
// a registry answers, else stand-ins built here; see standins.ts), then plays the Docker commands of
// README.md and docs/deployment.md with Docker Compose against podman and checks each result from
// the host. Removes what it made at the end (the stand-ins and the base image stay cached).
// Options: --quick (build, up, the curl and psql demos, down: what CI runs), --keep-images, --purge
// (also remove the cached stand-ins and base image), --no-variants (skip the scale.yml/cluster.yml runs),
// --only=WORD[,WORD] (after the README's up, only the demos whose title contains a word; for debugging).
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isPortFree } from '@kafka-poc/local-stack';
import { BASE_IMAGE, ensureBaseImage } from './base-image.ts';
import { Compose } from './compose.ts';
import { COMPOSE_VERSION, ensureCompose } from './compose-binary.ts';
import {
  baseState,
  catchUpDemo,
  crashDemo,
  type DemoContext,
  downCheck,
  invariantsCheck,
  kafkaDownDemo,
  poisonDemo,
  postgresDownDemo,
  psqlCheck,
  replayDemo,
  scaleDemo,
  startAndOrder,
} from './demos.ts';
import { clusterDemo, gatewayDemo, observabilityDemo } from './demos-variants.ts';
import { type Engine, startEngine } from './engine.ts';
import { run } from './exec.ts';
import { durationMs, type HealthHint } from './health-ticker.ts';
import { cacheDir, ensureHostPackages, writeContainersConf } from './host.ts';
import { parseImageRef } from './image-ref.ts';
import { buildProjectImage, type ImageOutcome, provideImage, STAND_IN_LABEL } from './images.ts';
import { Ledger } from './ledger.ts';
import { REPO_ROOT } from './standins.ts';
import { Steps } from './steps.ts';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const only = process.argv
  .slice(2)
  .filter((a) => a.startsWith('--only='))
  .flatMap((a) => a.slice('--only='.length).split(','))
  .filter(Boolean)
  .map((w) => w.toLowerCase());
/** Whether a demo (by its title) is played: every one unless --only names some. */
const wanted = (title: string) => only.length === 0 || only.some((w) => title.toLowerCase().includes(w));
const FIXED_PORTS = [8000, 8080, 9094, 9095, 9096, 5432, 9090, 3000, 8081];
const VARIANTS = [
  ['docker-compose.yml'],
  ['docker-compose.yml', 'docker-compose.scale.yml'],
  ['docker-compose.yml', 'docker-compose.cluster.yml'],
];

interface ComposeService {
  image?: string;
  build?: { args?: Record<string, string> };
  healthcheck?: { interval?: string; start_period?: string; start_interval?: string };
}

interface ProjectFacts {
  thirdParty: string[];
  built: { app: string; image: string }[];
  hints: Map<string, HealthHint>;
}

/**
 * What the files name, over every variant and profile: the Dockerfile's base, every service image
 * without a build, every built one, and each service's start_interval (for the healthcheck ticker).
 */
async function projectFacts(compose: Compose): Promise<ProjectFacts> {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const thirdParty = new Set<string>([/^ARG NODE_IMAGE=(\S+)/m.exec(dockerfile)?.[1] ?? 'node:24-slim']);
  const built = new Map<string, string>();
  const hints = new Map<string, HealthHint>();
  for (const files of VARIANTS) {
    const r = await compose
      .with(files)
      .run(['--profile', 'ui', '--profile', 'observability', 'config', '--format', 'json']);
    const services = (JSON.parse(r.stdout) as { services: Record<string, ComposeService> }).services;
    for (const [name, s] of Object.entries(services)) {
      if (s.build && s.image) built.set(s.build.args?.APP ?? s.image, s.image);
      else if (s.image) thirdParty.add(s.image);
      const hc = s.healthcheck;
      if (hc?.start_interval) {
        hints.set(name, {
          startIntervalMs: durationMs(hc.start_interval, 5000),
          startPeriodMs: durationMs(hc.start_period, 0),
        });
      }
    }
  }
  return { thirdParty: [...thirdParty], built: [...built].map(([app, image]) => ({ app, image })), hints };
}

function printImages(steps: Steps, images: ImageOutcome[]): void {
  steps.begin('Images: real or stand-in');
  for (const i of images) steps.note(`${i.kind.padEnd(11)} ${i.ref}: ${i.detail}`);
}

async function main(): Promise<number> {
  const started = performance.now();
  const steps = new Steps();
  const cache = cacheDir();
  const logDir = join(cache, 'logs', new Date().toISOString().replaceAll(':', '-').slice(0, 19));
  mkdirSync(logDir, { recursive: true });
  process.stdout.write(
    `compose:check${quick ? ' --quick' : ''}: the Docker path with podman and Docker Compose ${COMPOSE_VERSION}\n  cache ${cache}\n  logs  ${logDir}\n`,
  );
  let engine: Engine | undefined;
  let composeBinary = '';
  const images: ImageOutcome[] = [];
  const built: string[] = [];
  let project: Compose | undefined;

  const hostOk = await steps.run('Host', async () => {
    await steps.step('podman, runc, debootstrap', () => ensureHostPackages((l) => steps.note(l)));
    await steps.step('Docker Compose', async () => {
      const c = await ensureCompose(cache, (l) => steps.note(l));
      composeBinary = c.path;
      return `${COMPOSE_VERSION} at ${c.path}${c.built ? ' (built now)' : ' (cached)'}`;
    });
    await steps.step(`fixed host ports free: ${FIXED_PORTS.join(', ')}`, async () => {
      const busy: number[] = [];
      for (const p of FIXED_PORTS) if (!(await isPortFree(p))) busy.push(p);
      if (busy.length > 0)
        throw new Error(`in use: ${busy.join(', ')} (compose publishes them; stop what holds them)`);
      return undefined;
    });
    await steps.step('podman API service, API shim, healthcheck ticker', async () => {
      const conf = writeContainersConf(cache);
      engine = await startEngine(conf, logDir);
      return `DOCKER_HOST=${engine.dockerHost}, CONTAINERS_CONF=${conf}`;
    });
  });
  // Anonymous volumes (the VOLUMEs of the kafka and postgres images) outlive a plain `down`, as under
  // Docker; those that appear during the run and end up unused are removed at the end.
  const danglingVolumes = async () =>
    (await run('podman', ['volume', 'ls', '-q', '--filter', 'dangling=true'], { env: engine?.env })).stdout
      .split('\n')
      .filter(Boolean);
  const volumesBefore = new Set(engine ? await danglingVolumes() : []);
  const cleanup = async () => {
    if (project && engine) {
      for (const files of VARIANTS) {
        await project
          .with(files)
          .run(['--profile', 'ui', '--profile', 'observability', 'down', '-v', '--remove-orphans'], {
            allowFail: true,
            timeoutMs: 300_000,
          });
      }
    }
  };
  process.once('SIGINT', () => {
    process.stdout.write('\ninterrupted: removing the containers, then exiting\n');
    void cleanup()
      .then(() => engine?.stop())
      .finally(() => process.exit(130));
  });

  if (hostOk && engine) {
    const env = engine.env;
    project = new Compose({
      binary: composeBinary,
      dockerHost: engine.dockerHost,
      engineEnv: env,
      projectDir: REPO_ROOT,
      logDir,
      log: (l) => steps.note(l),
    });
    const compose = project;
    const ctxImages = { env, cache, logDir, log: (l: string) => steps.note(l) };
    const imagesOk = await steps.run('Build the images', async () => {
      await steps.step(`base image ${BASE_IMAGE}`, () => ensureBaseImage(cache, env, (l) => steps.note(l)));
      const named = await projectFacts(compose);
      engine?.ticker.setHints(named.hints);
      for (const written of named.thirdParty) {
        await steps.step(written, async () => {
          const outcome = await provideImage(parseImageRef(written), ctxImages);
          images.push(outcome);
          return `${outcome.kind}: ${outcome.detail}`;
        });
      }
      for (const { app, image } of named.built) {
        await steps.step(`docker build --build-arg APP=${app} -t ${image} .`, async () => {
          const detail = await buildProjectImage(app, image, ctxImages);
          built.push(image);
          return detail;
        });
      }
    });
    printImages(steps, images);
    const has = (repo: string) =>
      images.some((i) => parseImageRef(i.ref).repository === repo && i.kind !== 'unavailable');
    const ctx: DemoContext = { steps, compose, ledger: new Ledger(), accepted: [], poisoned: new Set() };
    if (imagesOk) {
      await steps.run('docker compose up: the README', async () => {
        await startAndOrder(ctx);
        await psqlCheck(ctx);
      });
      if (!quick) {
        const demo = async (name: string, body: (c: DemoContext) => Promise<void>) => {
          if (!wanted(name)) return;
          await steps.run(name, async () => {
            await baseState(ctx);
            await body(ctx);
          });
        };
        await demo('Scale consumers while orders flow', scaleDemo);
        await demo('Catch up after downtime (stop/start notification-service)', catchUpDemo);
        await demo('Replay', replayDemo);
        await demo('Crash a consumer mid-batch', crashDemo);
        await demo('Kafka down', kafkaDownDemo);
        await demo('PostgreSQL down (stop/start postgres)', postgresDownDemo);
        await demo('A poison message', poisonDemo);
        await demo('Nothing lost, nothing duplicated', invariantsCheck);
        if (wanted('Profile observability'))
          await steps.run('Profile observability', async () => {
            if (!has('docker.io/prom/prometheus'))
              steps.skip('--profile observability', 'no Prometheus image');
            else {
              await baseState(ctx);
              await observabilityDemo(ctx, has('docker.io/grafana/grafana'));
            }
          });
        if (wanted('Profile ui'))
          await steps.run('Profile ui', async () => {
            const ui = images.find((i) => parseImageRef(i.ref).repository === 'docker.io/kafbat/kafka-ui');
            if (ui?.kind === 'unavailable')
              steps.skip(
                'docker compose --profile ui up -d',
                `kafbat/kafka-ui cannot be provided: ${ui.detail}`,
              );
          });
      }
      await steps.run('docker compose down', async () => {
        // Once a profile ran, the docs' form: plain `down` leaves profile services running.
        await downCheck(ctx, compose, false, !quick);
        await downCheck(ctx, compose, true);
      });
      if (!quick && !args.has('--no-variants')) {
        if (wanted('order-service behind the gateway: docker-compose.scale.yml'))
          await steps.run('order-service behind the gateway: docker-compose.scale.yml', async () => {
            if (!has('docker.io/library/haproxy')) steps.skip('docker-compose.scale.yml', 'no HAProxy image');
            else await gatewayDemo(ctx);
          });
        if (wanted('Three brokers: docker-compose.cluster.yml'))
          await steps.run('Three brokers: docker-compose.cluster.yml', () => clusterDemo(ctx));
      }
    }
  }

  await steps.run('Clean up', async () => {
    if (engine) {
      await steps.step('every compose variant down -v --remove-orphans', async () => {
        await cleanup();
        const left = await run(
          'podman',
          ['ps', '-a', '-q', '--filter', 'label=com.docker.compose.project=kafka-poc'],
          { env: engine?.env },
        );
        if (left.stdout.trim())
          throw new Error(`containers left: ${left.stdout.trim().replaceAll('\n', ' ')}`);
        const made = (await danglingVolumes()).filter((v) => !volumesBefore.has(v));
        if (made.length > 0) await run('podman', ['volume', 'rm', ...made], { env: engine?.env });
        return `no container of the project left; ${made.length} anonymous volumes of the run removed`;
      });
      if (!args.has('--keep-images') && built.length > 0) {
        await steps.step('remove the project images', async () => {
          await run('podman', ['rmi', ...built], { env: engine?.env });
          return `${built.join(', ')} (build layers stay in podman's cache for the next run)`;
        });
      }
      if (args.has('--purge')) {
        await steps.step('remove the stand-ins and the base image (--purge)', async () => {
          const standIns = await run('podman', ['images', '-q', '--filter', `label=${STAND_IN_LABEL}`], {
            env: engine?.env,
          });
          const ids = standIns.stdout.split('\n').filter(Boolean);
          await run('podman', ['rmi', '-f', ...ids, BASE_IMAGE], { env: engine?.env });
          rmSync(join(cache, 'contexts'), { recursive: true, force: true });
          return `${ids.length} stand-in images and ${BASE_IMAGE}`;
        });
      }
      await engine.stop();
    }
    return undefined;
  });

  const failed = steps.failed();
  const ran = steps.outcomes.filter((o) => !o.skipped).length;
  const skipped = steps.outcomes.filter((o) => o.skipped);
  process.stdout.write('\n== Summary\n');
  for (const i of images) process.stdout.write(`  ${i.kind.padEnd(11)} ${i.ref}\n`);
  for (const s of skipped) process.stdout.write(`  skipped: ${s.name}: ${s.skipped}\n`);
  process.stdout.write(
    `compose:check: ${ran - failed.length} of ${ran} steps passed${failed.length ? `, ${failed.length} FAILED: ${failed.map((f) => f.name).join('; ')}` : ''} (${((performance.now() - started) / 60000).toFixed(1)} min; logs ${logDir})\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
