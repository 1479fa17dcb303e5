import type { KafkaCluster } from '@kafka-poc/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionTo, refusedStarts, roundTrip, startSecuredKafka } from './security-support.ts';

// A broker of its own whose client listener is SASL_SSL: SCRAM-SHA-512 over TLS, with a certificate
// signed by a throwaway CA that clients must trust explicitly.
describe('SASL_SSL', () => {
  let cluster: KafkaCluster;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ cluster, stop } = await startSecuredKafka('sasl-ssl', {
      scram: { mechanism: 'SCRAM-SHA-512', users: [{ name: 'svc', password: 'svc-secret-1' }] },
      tls: true,
    }));
  });

  afterAll(async () => {
    await stop?.();
  });

  it('round-trips trusting the generated CA', async () => {
    expect(cluster.securityProtocol).toBe('SASL_SSL');
    const connection = connectionTo(cluster);
    expect(connection.tls).toEqual({ ca: expect.stringContaining('BEGIN CERTIFICATE') });
    expect(await roundTrip(connection)).toHaveLength(20);
  });

  it('verifies the host name: localhost (with SNI) matches the certificate too', async () => {
    const port = cluster.bootstrapServers.split(':')[1];
    expect(await roundTrip(connectionTo(cluster, { brokers: [`localhost:${port}`] }), 3)).toHaveLength(3);
  });

  it('refuses a broker certificate it does not trust: KAFKA_TLS_FAILED, not retryable', async () => {
    for (const error of await refusedStarts(connectionTo(cluster, { tls: true }))) {
      expect(error).toMatchObject({ code: 'KAFKA_TLS_FAILED', retryable: false });
      expect(error.message).toMatch(/certificate/);
    }
  });

  it('says so when a plaintext client meets the TLS listener', async () => {
    const { tls: _omitted, sasl, ...plaintext } = connectionTo(cluster);
    for (const error of await refusedStarts(plaintext)) {
      expect(error).toMatchObject({ code: 'KAFKA_TLS_FAILED', retryable: false });
      expect(error.message).toMatch(/Broker requires TLS/);
    }
    // With SASL the broker drops the handshake before the client sees a TLS record.
    for (const error of await refusedStarts({ ...plaintext, sasl })) {
      expect(error).toMatchObject({ code: 'KAFKA_AUTH_FAILED', retryable: false });
      expect(error.message).toMatch(/does the listener expect TLS/);
    }
  });

  it('fails a wrong password with KAFKA_AUTH_FAILED over TLS as well', async () => {
    const sasl = { mechanism: 'SCRAM-SHA-512' as const, username: 'svc', password: 'wrong-password' };
    for (const error of await refusedStarts(connectionTo(cluster, { sasl }))) {
      expect(error).toMatchObject({ code: 'KAFKA_AUTH_FAILED', retryable: false });
    }
  });
});
