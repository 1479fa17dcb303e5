import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toDatabaseSsl } from '@kafka-poc/config';
import { createPool, type PoolSslConfig } from '@kafka-poc/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTlsMaterial, type PostgresServer, printProgress, startPostgres } from '../src/index.ts';
import { tempDir } from './temp-dir.ts';

/** Whether the pool's connection is encrypted, by asking the server. */
async function connectsWithTls(url: string, ssl: PoolSslConfig | undefined): Promise<boolean> {
  const pool = createPool(
    { url, max: 1, connectionTimeoutMs: 5000, statementTimeoutMs: 5000, applicationName: 'tls-test', ssl },
    () => {},
  );
  try {
    const { rows } = await pool.query<{ ssl: boolean }>(
      'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
    );
    return rows[0]?.ssl === true;
  } finally {
    await pool.end();
  }
}

describe('Postgres with TLS', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: PostgresServer | undefined;
  let ca: string;

  beforeAll(async () => {
    dir = await tempDir('postgres-tls');
    server = await startPostgres({
      dataDir: join(dir.path, 'postgres'),
      port: 0,
      fsync: false,
      tls: true,
      onProgress: printProgress('postgres-tls'),
    });
    ca = await readFile(server.caFile as string, 'utf8');
  });

  afterAll(async () => {
    await server?.stop();
    await dir?.remove();
  });

  it('verifies the server certificate against the generated CA (verify-full)', async () => {
    const url = (server as PostgresServer).databaseUrl;
    expect(await connectsWithTls(url, { mode: 'verify-full', ca })).toBe(true);
    expect(await connectsWithTls(url, { mode: 'verify-ca', ca })).toBe(true);
    expect(await connectsWithTls(url, { mode: 'require' })).toBe(true);
    // Plaintext is still accepted: TLS is the client's choice.
    expect(await connectsWithTls(url, undefined)).toBe(false);
    expect(await connectsWithTls(url, { mode: 'disable' })).toBe(false);
  });

  it('honours sslmode and sslrootcert in DATABASE_URL through the config mapping', async () => {
    const base = (server as PostgresServer).databaseUrl;
    const url = `${base}?sslmode=verify-full&sslrootcert=${encodeURIComponent(server?.caFile ?? '')}`;
    const ssl = toDatabaseSsl({ DATABASE_URL: url });
    expect(ssl).toEqual({ mode: 'verify-full', ca });
    expect(await connectsWithTls(url, ssl)).toBe(true);
  });

  it('refuses a server whose certificate another CA signed', async () => {
    const other = await ensureTlsMaterial(join(dir.path, 'other-ca'));
    const otherCa = await readFile(other.caFile, 'utf8');
    const url = (server as PostgresServer).databaseUrl;
    await expect(connectsWithTls(url, { mode: 'verify-full', ca: otherCa })).rejects.toThrow(/certificate/);
    // The certificate names localhost as well as 127.0.0.1.
    const byName = url.replace('127.0.0.1', 'localhost');
    expect(await connectsWithTls(byName, { mode: 'verify-full', ca })).toBe(true);
  });
});
