import type { KafkaCluster } from '@kafka-poc/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionTo, refusedStarts, roundTrip, startSecuredKafka } from './security-support.ts';

// A broker of its own whose client listener is SASL_PLAINTEXT with SCRAM-SHA-512.
describe('SASL/SCRAM-SHA-512', () => {
  let cluster: KafkaCluster;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ cluster, stop } = await startSecuredKafka('scram', {
      scram: {
        mechanism: 'SCRAM-SHA-512',
        users: [
          { name: 'svc', password: 'svc-secret-1' },
          { name: 'other', password: 'other-secret-2' },
        ],
      },
    }));
  });

  afterAll(async () => {
    await stop?.();
  });

  it('round-trips through producer, consumer runner and admin with the right password', async () => {
    expect(cluster.securityProtocol).toBe('SASL_PLAINTEXT');
    const values = await roundTrip(connectionTo(cluster));
    expect(values).toHaveLength(20);
    expect(await roundTrip(connectionTo(cluster, cluster.clientSecurity('other')), 3)).toHaveLength(3);
  });

  it('fails fast with a non-retryable KAFKA_AUTH_FAILED for a wrong password or unknown user', async () => {
    for (const sasl of [
      { mechanism: 'SCRAM-SHA-512' as const, username: 'svc', password: 'wrong-password' },
      { mechanism: 'SCRAM-SHA-512' as const, username: 'nobody', password: 'svc-secret-1' },
    ]) {
      const errors = await refusedStarts(connectionTo(cluster, { sasl }));
      for (const error of errors) {
        expect(error).toMatchObject({ code: 'KAFKA_AUTH_FAILED', retryable: false });
        expect(error.message).toMatch(/SASL authentication failed/);
        expect(error.message).not.toContain(sasl.password);
      }
    }
  });

  it('refuses a mechanism the listener does not enable', async () => {
    const sasl = { mechanism: 'SCRAM-SHA-256' as const, username: 'svc', password: 'svc-secret-1' };
    for (const error of await refusedStarts(connectionTo(cluster, { sasl }))) {
      expect(error).toMatchObject({ code: 'KAFKA_AUTH_FAILED', retryable: false });
    }
  });

  it('gives up on a client without credentials instead of hanging', async () => {
    const { sasl: _omitted, ...anonymous } = connectionTo(cluster);
    for (const error of await refusedStarts(anonymous)) {
      // The broker just drops connections that skip SASL: to the client that is a closed connection.
      expect(error.code).toMatch(/^KAFKA_/);
    }
  });
});
