import type { ConnectionOptions } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { pgConnectionConfig, pgSslOptions } from './pool.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('pool TLS options', () => {
  it('maps libpq modes to node-postgres ssl options', () => {
    expect(pgSslOptions({ mode: 'disable' })).toBe(false);
    expect(pgSslOptions({ mode: 'require' })).toEqual({ rejectUnauthorized: false });
    expect(pgSslOptions({ mode: 'verify-full', ca: CA })).toEqual({ ca: CA, rejectUnauthorized: true });
    const verifyCa = pgSslOptions({ mode: 'verify-ca', ca: CA }) as ConnectionOptions;
    expect(verifyCa).toMatchObject({ ca: CA, rejectUnauthorized: true });
    // verify-ca checks the chain but not the host name.
    expect(verifyCa.checkServerIdentity?.('other-host', {} as never)).toBeUndefined();
    expect(pgSslOptions({ mode: 'verify-full', cert: 'c', key: 'k' })).toEqual({
      cert: 'c',
      key: 'k',
      rejectUnauthorized: true,
    });
  });

  it('leaves the URL alone without an ssl setting', () => {
    const url = 'postgres://app:app@127.0.0.1:5432/appdb?sslmode=require';
    expect(pgConnectionConfig(url, undefined)).toEqual({ connectionString: url });
  });

  it("removes the URL's own TLS parameters so they cannot override the ssl setting", () => {
    const url = 'postgres://app:p%40ss@db:5432/appdb?sslmode=require&sslrootcert=/x.crt&application_name=a';
    const config = pgConnectionConfig(url, { mode: 'verify-full', ca: CA });
    expect(config.connectionString).toBe('postgres://app:p%40ss@db:5432/appdb?application_name=a');
    expect(config.ssl).toEqual({ ca: CA, rejectUnauthorized: true });
    const plain = 'postgres://app:app@127.0.0.1:5432/appdb';
    expect(pgConnectionConfig(plain, { mode: 'require' }).connectionString).toBe(plain);
  });
});
