import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTlsMaterial } from '@kafka-poc/local-stack';
import { Connection } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseClientOptions, saslOptions, tlsOptions } from './client-options.ts';
import { KafkaError } from './errors.ts';

const connection = { brokers: ['127.0.0.1:9092'], clientId: 'test' };

describe('client security options', () => {
  let dir: string;
  let pem: { ca: string; cert: string; key: string; serverKey: string };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kafka-client-options-'));
    const tls = await ensureTlsMaterial(dir);
    const [ca, cert, key, serverKey] = await Promise.all(
      [tls.caFile, tls.clientCertFile, tls.clientKeyFile, tls.serverKeyFile].map((f) => readFile(f, 'utf8')),
    );
    pem = { ca, cert, key, serverKey } as typeof pem;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('adds nothing without SASL or TLS', () => {
    const options = baseClientOptions(connection, 'admin');
    expect(options.clientId).toBe('test-admin');
    expect(options.sasl).toBeUndefined();
    expect(options.tls).toBeUndefined();
    expect(options.tlsServerName).toBeUndefined();
  });

  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)(
    'passes SASL %s credentials through',
    (mechanism) => {
      const options = baseClientOptions({
        ...connection,
        sasl: { mechanism, username: 'svc', password: 'pw' },
      });
      expect(options.sasl).toEqual({ mechanism, username: 'svc', password: 'pw' });
    },
  );

  it('rejects incomplete SASL settings before connecting', () => {
    for (const sasl of [
      { mechanism: 'SCRAM-SHA-512' as const, username: 'svc', password: '' },
      { mechanism: 'SCRAM-SHA-512' as const, username: '', password: 'pw' },
      { mechanism: 'GSSAPI' as 'PLAIN', username: 'svc', password: 'pw' },
    ]) {
      expect(() => saslOptions(sasl)).toThrow(KafkaError);
      try {
        baseClientOptions({ ...connection, sasl });
      } catch (error) {
        expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', retryable: false });
      }
    }
  });

  it('uses the default CAs for tls: true, and SNI only for host names', () => {
    expect(baseClientOptions({ ...connection, tls: true }).tls).toEqual({});
    expect(baseClientOptions({ ...connection, tls: true }).tlsServerName).toBeUndefined();
    const named = baseClientOptions({ ...connection, brokers: ['kafka-0.example.com:9093'], tls: true });
    expect(named.tlsServerName).toBe(true);
    const v6 = baseClientOptions({ ...connection, brokers: ['[::1]:9093'], tls: true });
    expect(v6.tlsServerName).toBeUndefined();
  });

  it('passes a CA and a client certificate with its key', () => {
    const options = baseClientOptions({ ...connection, tls: { ca: pem.ca, cert: pem.cert, key: pem.key } });
    expect(options.tls).toEqual({ ca: pem.ca, cert: pem.cert, key: pem.key });
    expect(tlsOptions({ ca: pem.ca })).toEqual({ ca: pem.ca });
    expect(tlsOptions({ rejectUnauthorized: false })).toEqual({ rejectUnauthorized: false });
    expect(tlsOptions(false as unknown as undefined)).toBeUndefined();
  });

  it('rejects unusable TLS material with a clear error', () => {
    const cases = [
      { tls: { cert: pem.cert }, message: /needs its private key/ },
      { tls: { key: pem.key }, message: /needs its private key/ },
      { tls: { ca: 'not a certificate' }, message: /Invalid TLS certificate or key/ },
      { tls: { cert: pem.cert, key: pem.serverKey }, message: /Invalid TLS certificate or key/ },
    ];
    for (const { tls, message } of cases) {
      expect(() => baseClientOptions({ ...connection, tls })).toThrow(message);
    }
  });

  it('keeps a stray second connection error from crashing the process', () => {
    baseClientOptions({ ...connection, tls: true });
    const orphan = new Connection('guard-test');
    expect(() => orphan.emit('error', new Error('second error, nobody listening'))).not.toThrow();
  });
});
