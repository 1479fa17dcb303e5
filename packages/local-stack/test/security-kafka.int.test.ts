import { subscribe } from 'node:diagnostics_channel';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { instancesChannel } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type KafkaCluster,
  type KafkaSecurityOptions,
  LocalStackError,
  printProgress,
  probeBrokers,
  startKafka,
} from '../src/index.ts';
import { tempDir } from './temp-dir.ts';

// One broker: SASL_SSL with SCRAM-SHA-512 and required client certificates (mutual TLS).
const security: KafkaSecurityOptions = {
  scram: { mechanism: 'SCRAM-SHA-512', users: [{ name: 'svc', password: 'svc-password-1' }] },
  tls: { clientAuth: true },
};

// @platformatic/kafka 2.12.1 emits a second, unheard 'error' when the broker rejects a missing client
// certificate during the SASL handshake; @kafka-poc/kafka guards its clients, the raw probe here does not.
subscribe(instancesChannel.name, (message) => {
  const { type, instance } = message as { type?: string; instance?: { on(e: string, f: () => void): void } };
  if (type === 'connection') instance?.on('error', () => {});
});

describe('startKafka with security', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let dataDir: string;
  let cluster: KafkaCluster | undefined;

  beforeAll(async () => {
    dir = await tempDir('kafka-security');
    dataDir = join(dir.path, 'kafka');
    cluster = await startKafka({
      dataDir,
      ports: 'random',
      heapMb: 256,
      security,
      onProgress: printProgress('security-test'),
    });
  });

  afterAll(async () => {
    await cluster?.stop();
    await dir?.remove();
  });

  it('serves SASL_SSL on the client port and reports how to connect', async () => {
    const c = cluster as KafkaCluster;
    expect(c.securityProtocol).toBe('SASL_SSL');
    expect(c.caFile).toBe(join(dataDir, 'tls', 'ca.pem'));
    expect(await readFile(c.caFile as string, 'utf8')).toContain('BEGIN CERTIFICATE');
    const client = c.clientSecurity();
    expect(client.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'svc', password: 'svc-password-1' });
    expect(client.tls?.ca).toContain('BEGIN CERTIFICATE');
    expect(client.tls?.cert).toContain('BEGIN CERTIFICATE');
    expect(client.tls?.key).toContain('PRIVATE KEY');
    expect(c.nodes[0]?.internalPort).toBeGreaterThan(0);
    const bootstrap = c.bootstrapServers.split(',');
    expect(await probeBrokers(bootstrap, 3000, client)).toEqual([1]);
    // The cluster.json records users without their passwords.
    expect(await readFile(join(dataDir, 'cluster.json'), 'utf8')).not.toContain('svc-password-1');
  });

  it('refuses clients without the password, the CA or a client certificate', async () => {
    const c = cluster as KafkaCluster;
    const bootstrap = c.bootstrapServers.split(',');
    const good = c.clientSecurity();
    const attempts = [
      { ...good, sasl: { mechanism: 'SCRAM-SHA-512' as const, username: 'svc', password: 'wrong-password' } },
      { ...good, tls: { ...good.tls, ca: undefined } },
      { ...good, tls: { ca: good.tls?.ca } },
      { tls: good.tls },
      {},
    ];
    for (const attempt of attempts) {
      await expect(probeBrokers(bootstrap, 3000, attempt)).rejects.toThrow();
    }
    // The internal listener is PLAINTEXT on loopback (inter-broker traffic only).
    expect(await probeBrokers((c.internalBootstrapServers ?? '').split(','), 3000)).toEqual([1]);
  });

  it('restarts on the same data: same CA and users; other SCRAM users are refused', async () => {
    const c = cluster as KafkaCluster;
    const ca = await readFile(c.caFile as string, 'utf8');
    const { bootstrapServers } = c;
    await c.stop();
    cluster = undefined;

    await expect(
      startKafka({
        dataDir,
        ports: 'random',
        security: {
          ...security,
          scram: { mechanism: 'SCRAM-SHA-512', users: [{ name: 'svc', password: 'other-password' }] },
        },
      }),
    ).rejects.toMatchObject({ code: 'KAFKA_DATA_DIR_MISMATCH', retryable: false });

    cluster = await startKafka({ dataDir, ports: 'random', heapMb: 256, security });
    expect(cluster.bootstrapServers).toBe(bootstrapServers);
    expect(await readFile(cluster.caFile as string, 'utf8')).toBe(ca);
    expect(await probeBrokers(bootstrapServers.split(','), 3000, cluster.clientSecurity())).toEqual([1]);
  });

  it('rejects passwords the storage tool cannot take', async () => {
    await expect(
      startKafka({
        dataDir: join(dir.path, 'unused'),
        security: {
          scram: { mechanism: 'SCRAM-SHA-512', users: [{ name: 'svc', password: 'a,b c"d-long' }] },
        },
      }),
    ).rejects.toBeInstanceOf(LocalStackError);
  });
});
