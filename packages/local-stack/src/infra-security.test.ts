import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyClientEnv, localKafkaSecurity, parseInfraKafkaSecurity } from './infra-security.ts';
import { findService, serviceEnv } from './services.ts';

describe('infra security options', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'infra-security-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('parses --kafka-security', () => {
    expect(parseInfraKafkaSecurity(undefined)).toBeUndefined();
    expect(parseInfraKafkaSecurity('none')).toBeUndefined();
    expect(parseInfraKafkaSecurity('scram+tls')).toBe('scram+tls');
    expect(() => parseInfraKafkaSecurity('kerberos')).toThrow(/--kafka-security must be one of/);
  });

  it('generates a password once, keeps it in a 0600 file, and gives clients only its path', async () => {
    const kafkaDir = join(dir, 'generated');
    const first = await localKafkaSecurity('scram+tls', kafkaDir, {});
    const file = join(kafkaDir, 'credentials', 'svc.password');
    expect(first.clientEnv).toEqual({
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD_FILE: file,
    });
    const password = first.security.scram?.users[0]?.password ?? '';
    expect(password).toHaveLength(32);
    expect(await readFile(file, 'utf8')).toBe(password);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.security.tls).toBe(true);
    expect(first.notes[0]).toContain(`generated now into ${file}`);
    const again = await localKafkaSecurity('scram', kafkaDir, {});
    expect(again.security.scram?.users[0]?.password).toBe(password);
    expect(again.security.tls).toBeUndefined();
    expect(again.notes[0]).toContain('generated earlier');
  });

  it('takes the user, mechanism and password from the environment', async () => {
    const passwordFile = join(dir, 'pw');
    await writeFile(passwordFile, 'from-a-file-123\n');
    const fromFile = await localKafkaSecurity('scram', join(dir, 'a'), {
      KAFKA_SASL_USERNAME: 'orders',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
    });
    expect(fromFile.security.scram).toEqual({
      mechanism: 'SCRAM-SHA-256',
      users: [{ name: 'orders', password: 'from-a-file-123' }],
    });
    expect(fromFile.clientEnv.KAFKA_SASL_PASSWORD_FILE).toBe(passwordFile);
    const inline = await localKafkaSecurity('scram', join(dir, 'b'), {
      KAFKA_SASL_PASSWORD: 'inline-secret-1',
    });
    expect(inline.security.scram?.users[0]?.password).toBe('inline-secret-1');
    expect(inline.notes[0]).toContain('password from KAFKA_SASL_PASSWORD');
    expect(inline.notes[0]).not.toContain('inline-secret-1');
    expect(await localKafkaSecurity('tls', join(dir, 'c'), {})).toEqual({
      security: { tls: true },
      clientEnv: {},
      notes: [],
    });
  });

  it("gives services the infra's client variables, replacing clashing inline ones", () => {
    const clientEnv = {
      kafka: {
        KAFKA_SASL_USERNAME: 'svc',
        KAFKA_SASL_PASSWORD_FILE: '/p',
        KAFKA_TLS: '1',
        KAFKA_TLS_CA_FILE: '/ca',
      },
      database: { DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: '/db-ca' },
    };
    const service = findService('order-service');
    if (!service) throw new Error('order-service missing');
    const env = serviceEnv({
      service,
      port: 1,
      instanceId: 'i',
      kafkaBrokers: 'k:1',
      databaseUrl: 'postgres://app:app@db/appdb',
      env: { KAFKA_SASL_PASSWORD: 'stale', KAFKA_TLS_CERT_FILE: '/old', OTHER: 'kept' },
      clientEnv,
    });
    expect(env).toMatchObject({ ...clientEnv.kafka, ...clientEnv.database, OTHER: 'kept' });
    expect(env.KAFKA_SASL_PASSWORD).toBeUndefined();
    expect(env.KAFKA_TLS_CERT_FILE).toBeUndefined();
    // Without client variables, nothing changes.
    expect(applyClientEnv({ KAFKA_SASL_PASSWORD: 'x' }, undefined)).toEqual({ KAFKA_SASL_PASSWORD: 'x' });
    expect(applyClientEnv({ KAFKA_TLS: '1' }, clientEnv, { kafka: false, database: true })).toMatchObject({
      KAFKA_TLS: '1',
      DATABASE_SSL: 'verify-full',
    });
  });
});
