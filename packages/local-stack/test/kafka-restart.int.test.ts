import { join } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { afterAll, describe, expect, it } from 'vitest';
import { type KafkaCluster, printProgress, startKafka } from '../src/index.ts';
import { tempDir } from './temp-dir.ts';

async function listTopics(bootstrap: string): Promise<string[]> {
  const admin = new Admin({ clientId: 'restart-test', bootstrapBrokers: bootstrap.split(',') });
  try {
    return await admin.listTopics();
  } finally {
    await admin.close();
  }
}

describe('startKafka persistence', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('keeps topics across a full restart and a SIGKILLed node', { timeout: 120_000 }, async () => {
    const dir = await tempDir('kafka-restart');
    cleanup.push(dir.remove);
    const dataDir = join(dir.path, 'kafka');

    let cluster: KafkaCluster = await startKafka({
      dataDir,
      ports: 'random',
      heapMb: 256,
      onProgress: printProgress('restart-test'),
    });
    cleanup.push(() => cluster.stop());
    const admin = new Admin({
      clientId: 'restart-test',
      bootstrapBrokers: cluster.bootstrapServers.split(','),
    });
    await admin.createTopics({ topics: ['survives-restart'], partitions: 1, replicas: 1 });
    await admin.close();
    const { clusterId, bootstrapServers } = cluster;
    await cluster.stop();
    expect(cluster.nodes[0]?.pid).toBeUndefined();

    // Same dir: storage is not formatted again, and the stored (still free) ports are reused.
    cluster = await startKafka({
      dataDir,
      ports: 'random',
      heapMb: 256,
      onProgress: printProgress('restart-test'),
    });
    expect(cluster.clusterId).toBe(clusterId);
    expect(cluster.bootstrapServers).toBe(bootstrapServers);
    expect(await listTopics(cluster.bootstrapServers)).toContain('survives-restart');

    await cluster.stopNode(1, { signal: 'SIGKILL' });
    await cluster.startNode(1);
    expect(cluster.nodes[0]?.pid).toBeGreaterThan(0);
    expect(await listTopics(cluster.bootstrapServers)).toContain('survives-restart');
  });
});
