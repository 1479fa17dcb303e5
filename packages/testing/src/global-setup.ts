/**
 * Vitest globalSetup of the integration project: the apps' build (for the tests that run a service as
 * a process), then ONE Kafka broker and ONE Postgres per test run, started concurrently on random
 * ports in a throwaway temp dir, stopped and deleted at the end.
 */
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildApps,
  isAlive,
  type KafkaCluster,
  type OnProgress,
  type PostgresServer,
  printProgress,
  repoRoot,
  startKafka,
  startPostgres,
  startWatchdog,
  type Watchdog,
  warmUpGroupCoordinator,
} from '@kafka-poc/local-stack';
import type { TestProject } from 'vitest/node';
import './provided-context.ts';

const RUN_DIR_PREFIX = 'kafka-poc-test-';
const OWNER_FILE = 'vitest.pid';

/** A killed vitest run cannot delete its dir (its watchdog only stops the servers): do it on the next run. */
async function removeAbandonedRuns(log: OnProgress): Promise<void> {
  const entries = await readdir(tmpdir()).catch(() => []);
  for (const entry of entries.filter((e) => e.startsWith(RUN_DIR_PREFIX))) {
    const dir = join(tmpdir(), entry);
    const owner = Number(await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => ''));
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
      await rm(dir, { recursive: true, force: true });
      log(`removed ${dir} left by an interrupted run (pid ${owner})`);
    }
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = printProgress('test-infra');
  const startedAt = performance.now();
  await removeAbandonedRuns(log);
  // The process tests run the apps' production build, as npm start and the images do.
  await buildApps(repoRoot(), log);
  const root = await mkdtemp(join(tmpdir(), RUN_DIR_PREFIX));
  // Postgres runs as the postgres user when we are root: it must be able to enter the dir.
  await chmod(root, 0o755);
  await writeFile(join(root, OWNER_FILE), String(process.pid));
  log(`starting Kafka + Postgres for this run in ${root}`);
  // If vitest itself is killed, the watchdog stops the broker and the server.
  const watchdog = startWatchdog();
  const [kafka, postgres] = await Promise.allSettled([
    startTestKafka(join(root, 'kafka'), log, watchdog),
    startPostgres({
      dataDir: join(root, 'postgres'),
      port: 0,
      fsync: false,
      onProgress: (m) => log(`postgres: ${m}`),
      watchdog,
    }),
  ]);
  const teardown = async (): Promise<void> => {
    await Promise.allSettled([
      kafka.status === 'fulfilled' ? kafka.value.stop() : undefined,
      postgres.status === 'fulfilled' ? postgres.value.stop() : undefined,
    ]);
    watchdog.stop();
    await rm(root, { recursive: true, force: true });
    log(`stopped and removed ${root}`);
  };
  if (kafka.status === 'rejected' || postgres.status === 'rejected') {
    await teardown();
    throw kafka.status === 'rejected' ? kafka.reason : (postgres as PromiseRejectedResult).reason;
  }
  provide(project, kafka.value, postgres.value);
  log(
    `ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s: Kafka ${kafka.value.bootstrapServers}, ` +
      `Postgres ${postgres.value.adminUrl} (logs: ${kafka.value.nodes[0]?.logFile}, ${postgres.value.logFile})`,
  );
  return teardown;
}

async function startTestKafka(dataDir: string, log: OnProgress, watchdog: Watchdog): Promise<KafkaCluster> {
  const kafka = await startKafka({
    dataDir,
    ports: 'random',
    onProgress: (m) => log(`kafka: ${m}`),
    watchdog,
  });
  try {
    await warmUpGroupCoordinator(kafka.bootstrapServers.split(','));
  } catch (error) {
    await kafka.stop();
    throw error;
  }
  return kafka;
}

function provide(project: TestProject, kafka: KafkaCluster, postgres: PostgresServer): void {
  project.provide('kafkaBrokers', kafka.bootstrapServers);
  project.provide('databaseUrl', postgres.adminUrl);
}
