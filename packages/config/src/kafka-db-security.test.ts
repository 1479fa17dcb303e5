import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config.ts';
import { type CommonConfig, commonEnvShape, portShape, toCommonConfig } from './schemas.ts';

const schema = z.object({ ...commonEnvShape, ...portShape(8000) });
const dir = mkdtempSync(join(tmpdir(), 'config-security-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function configFrom(env: Record<string, string>): CommonConfig {
  const parsed = loadConfig(schema, env);
  return toCommonConfig(parsed, 'svc', parsed.PORT);
}

/** The ConfigError's issues, by variable. */
function issuesOf(env: Record<string, string>): Record<string, string> {
  try {
    configFrom(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).retryable).toBe(false);
    return Object.fromEntries((error as ConfigError).issues.map((i) => [i.path, i.message]));
  }
  throw new Error('expected a ConfigError');
}

describe('Kafka security variables', () => {
  it('adds nothing by default', () => {
    const config = configFrom({});
    expect(config.kafka.sasl).toBeUndefined();
    expect(config.kafka.tls).toBeUndefined();
    expect(config.database.ssl).toBeUndefined();
  });

  it('reads the SASL password from KAFKA_SASL_PASSWORD_FILE, without the trailing newline', () => {
    const config = configFrom({
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD_FILE: file('kafka-password', 's3cret with spaces \n'),
    });
    // The mechanism defaults to SCRAM-SHA-512.
    expect(config.kafka.sasl).toEqual({
      mechanism: 'SCRAM-SHA-512',
      username: 'svc',
      password: 's3cret with spaces ',
    });
  });

  it('names a missing or empty password file clearly, without any content', () => {
    const missing = join(dir, 'no-such-file');
    const issues = issuesOf({ KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD_FILE: missing });
    expect(issues.KAFKA_SASL_PASSWORD_FILE).toBe(
      `cannot read the KAFKA_SASL_PASSWORD_FILE file ${missing} (ENOENT)`,
    );
    const empty = file('empty', '\n');
    expect(
      issuesOf({ KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD_FILE: empty }).KAFKA_SASL_PASSWORD_FILE,
    ).toMatch(/is empty/);
  });

  it('refuses half or contradictory SASL settings', () => {
    expect(issuesOf({ KAFKA_SASL_USERNAME: 'svc' })).toHaveProperty('KAFKA_SASL_PASSWORD');
    expect(issuesOf({ KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_PASSWORD: 'x' })).toHaveProperty(
      'KAFKA_SASL_USERNAME',
    );
    const both = issuesOf({
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'a',
      KAFKA_SASL_PASSWORD_FILE: file('pw2', 'b'),
    });
    expect(both.KAFKA_SASL_PASSWORD_FILE).toMatch(/not both/);
    expect(JSON.stringify(both)).not.toMatch(/"a"|"b"/);
  });

  it('turns TLS on with KAFKA_TLS=1 (default CAs) or with PEM files', () => {
    expect(configFrom({ KAFKA_TLS: '1' }).kafka.tls).toBe(true);
    expect(configFrom({ KAFKA_TLS: '' }).kafka.tls).toBeUndefined();
    const ca = file('ca.pem', CERT);
    expect(configFrom({ KAFKA_TLS_CA_FILE: ca }).kafka.tls).toEqual({ ca: CERT });
    const tls = configFrom({
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: ca,
      KAFKA_TLS_CERT_FILE: file('client.pem', CERT),
      KAFKA_TLS_KEY_FILE: file('client.key', KEY),
    }).kafka.tls;
    expect(tls).toEqual({ ca: CERT, cert: CERT, key: KEY });
  });

  it('refuses incomplete or contradictory TLS settings and files that are not PEM', () => {
    const cert = file('cert.pem', CERT);
    expect(issuesOf({ KAFKA_TLS_CERT_FILE: cert })).toHaveProperty('KAFKA_TLS_KEY_FILE');
    expect(issuesOf({ KAFKA_TLS: '0', KAFKA_TLS_CA_FILE: cert })).toHaveProperty('KAFKA_TLS');
    expect(issuesOf({ KAFKA_TLS_CA_FILE: file('junk.pem', 'hello') }).KAFKA_TLS_CA_FILE).toMatch(
      /holds no PEM CERTIFICATE/,
    );
    expect(issuesOf({ KAFKA_TLS_CERT_FILE: cert, KAFKA_TLS_KEY_FILE: cert }).KAFKA_TLS_KEY_FILE).toMatch(
      /holds no PEM PRIVATE KEY/,
    );
    expect(issuesOf({ KAFKA_TLS_CA_FILE: join(dir, 'missing.pem') }).KAFKA_TLS_CA_FILE).toMatch(/ENOENT/);
  });
});

describe('Postgres TLS variables', () => {
  const url = 'postgres://app:app@db.example.com:5432/appdb';

  it('takes DATABASE_SSL and DATABASE_SSL_CA_FILE', () => {
    expect(configFrom({ DATABASE_URL: url, DATABASE_SSL: 'require' }).database.ssl).toEqual({
      mode: 'require',
    });
    const ca = file('db-ca.pem', CERT);
    expect(configFrom({ DATABASE_URL: url, DATABASE_SSL_CA_FILE: ca }).database.ssl).toEqual({
      mode: 'verify-full',
      ca: CERT,
    });
    // As in libpq, require with a root certificate verifies the chain.
    expect(
      configFrom({ DATABASE_URL: url, DATABASE_SSL: 'require', DATABASE_SSL_CA_FILE: ca }).database.ssl,
    ).toEqual({
      mode: 'verify-ca',
      ca: CERT,
    });
    expect(configFrom({ DATABASE_URL: url, DATABASE_SSL: 'disable' }).database.ssl).toEqual({
      mode: 'disable',
    });
  });

  it('honours sslmode and sslrootcert in DATABASE_URL; DATABASE_SSL wins', () => {
    const ca = file('root.crt', CERT);
    const withMode = `${url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`;
    expect(configFrom({ DATABASE_URL: withMode }).database.ssl).toEqual({ mode: 'verify-full', ca: CERT });
    expect(configFrom({ DATABASE_URL: `${url}?sslmode=require` }).database.ssl).toEqual({ mode: 'require' });
    expect(
      configFrom({ DATABASE_URL: `${url}?sslmode=require`, DATABASE_SSL: 'disable' }).database.ssl,
    ).toEqual({
      mode: 'disable',
    });
    expect(
      configFrom({ DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=system` }).database.ssl,
    ).toEqual({
      mode: 'verify-full',
    });
  });

  it('refuses what node-postgres cannot honour, and unreadable files', () => {
    expect(issuesOf({ DATABASE_URL: `${url}?sslmode=prefer` }).DATABASE_URL).toMatch(/cannot be honoured/);
    expect(
      issuesOf({ DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=/nope.crt` }).DATABASE_URL,
    ).toMatch(/cannot read the sslrootcert file \/nope.crt \(ENOENT\)/);
    expect(issuesOf({ DATABASE_URL: url, DATABASE_SSL_CA_FILE: join(dir, 'nope.pem') })).toHaveProperty(
      'DATABASE_SSL_CA_FILE',
    );
    expect(
      issuesOf({ DATABASE_URL: url, DATABASE_SSL: 'disable', DATABASE_SSL_CA_FILE: file('x.pem', CERT) }),
    ).toHaveProperty('DATABASE_SSL_CA_FILE');
    expect(issuesOf({ DATABASE_URL: url, DATABASE_SSL: 'on' })).toHaveProperty('DATABASE_SSL');
  });
});
