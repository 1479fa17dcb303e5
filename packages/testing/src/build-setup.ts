/**
 * Vitest globalSetup of the fault project: the apps' production build, which its process stacks run
 * (each fault file starts its own Kafka and Postgres).
 */
import { buildApps, printProgress, repoRoot } from '@kafka-poc/local-stack';

export async function setup(): Promise<void> {
  await buildApps(repoRoot(), printProgress('test-build'));
}
