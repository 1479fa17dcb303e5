/**
 * Vitest globalSetup of the integration project: ONE Kafka broker and ONE Postgres per test run,
 * started concurrently on random ports in a throwaway temp dir, stopped and deleted at the end.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type KafkaCluster,
  type PostgresServer,
  printProgress,
  startKafka,
  startPostgres,
  startWatchdog,
} from '@kafka-poc/local-stack';
import type { TestProject } from 'vitest/node';
import './provided-context.ts';

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = printProgress('test-infra');
  const startedAt = performance.now();
  const root = await mkdtemp(join(tmpdir(), 'kafka-poc-test-'));
  // Postgres runs as the postgres user when we are root: it must be able to enter the dir.
  await chmod(root, 0o755);
  log(`starting Kafka + Postgres for this run in ${root}`);
  // If vitest itself is killed, the watchdog stops the broker and the server.
  const watchdog = startWatchdog();
  const [kafka, postgres] = await Promise.allSettled([
    startKafka({
      dataDir: join(root, 'kafka'),
      ports: 'random',
      onProgress: (m) => log(`kafka: ${m}`),
      watchdog,
    }),
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

function provide(project: TestProject, kafka: KafkaCluster, postgres: PostgresServer): void {
  project.provide('kafkaBrokers', kafka.bootstrapServers);
  project.provide('databaseUrl', postgres.adminUrl);
}
