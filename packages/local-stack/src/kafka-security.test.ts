import { describe, expect, it } from 'vitest';
import {
  type KafkaSecurityOptions,
  missingScramUsers,
  scramFormatArgs,
  scramUserRecords,
  secureListenerProperties,
  securityProtocol,
  validateSecurity,
  withOverrides,
} from './kafka-security.ts';

const scram: KafkaSecurityOptions['scram'] = {
  mechanism: 'SCRAM-SHA-512',
  users: [{ name: 'svc', password: 'p@ss=word]1' }],
};
const node = { nodeId: 1, brokerPort: 9092, controllerPort: 9093, internalPort: 9094 };

describe('local broker security', () => {
  it('names the client listener protocol', () => {
    expect(securityProtocol(undefined)).toBe('PLAINTEXT');
    expect(securityProtocol({})).toBe('PLAINTEXT');
    expect(securityProtocol({ scram })).toBe('SASL_PLAINTEXT');
    expect(securityProtocol({ tls: true })).toBe('SSL');
    expect(securityProtocol({ scram, tls: { clientAuth: true } })).toBe('SASL_SSL');
  });

  it('adds the users at format time, quoted', () => {
    expect(scramFormatArgs({ scram })).toEqual([
      '--add-scram',
      'SCRAM-SHA-512=[name="svc",password="p@ss=word]1"]',
    ]);
    expect(scramFormatArgs({ tls: true })).toEqual([]);
  });

  it('rejects users and passwords the storage tool would misparse', () => {
    const user = (name: string, password: string): KafkaSecurityOptions => ({
      scram: { mechanism: 'SCRAM-SHA-512', users: [{ name, password }] },
    });
    expect(() => validateSecurity(user('svc', 'good-password'))).not.toThrow();
    for (const bad of [user('svc', 'has,comma-long'), user('svc', 'has"quote-long'), user('svc', 'short')]) {
      expect(() => validateSecurity(bad)).toThrow(/password of "svc"/);
    }
    expect(() => validateSecurity(user('a/b', 'good-password'))).toThrow(/user name/);
    expect(() => validateSecurity({ scram: { mechanism: 'SCRAM-SHA-512', users: [] } })).toThrow(
      /at least one/,
    );
  });

  it('records users by salted hash and finds changed passwords', () => {
    const stored = scramUserRecords('cluster-a', { scram });
    expect(JSON.stringify(stored)).not.toContain('p@ss');
    expect(missingScramUsers(stored, scramUserRecords('cluster-a', { scram }))).toEqual([]);
    const changed = { ...scram, users: [{ name: 'svc', password: 'another-one' }] };
    expect(missingScramUsers(stored, scramUserRecords('cluster-a', { scram: changed }))).toEqual([
      'svc (SCRAM-SHA-512)',
    ]);
    expect(missingScramUsers([], [])).toEqual([]);
  });

  it('secures the client port and keeps inter-broker traffic on an internal PLAINTEXT listener', () => {
    const props = new Map(
      secureListenerProperties({
        node,
        security: { scram, tls: { clientAuth: true } },
        keystoreFile: '/d/tls/kafka-keystore.pem',
        truststoreFile: '/d/tls/ca.pem',
      }),
    );
    expect(props.get('listeners')).toBe(
      'CLIENT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093,INTERNAL://127.0.0.1:9094',
    );
    expect(props.get('advertised.listeners')).toBe('CLIENT://127.0.0.1:9092,INTERNAL://127.0.0.1:9094');
    expect(props.get('inter.broker.listener.name')).toBe('INTERNAL');
    expect(props.get('listener.security.protocol.map')).toBe(
      'CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,CLIENT:SASL_SSL',
    );
    expect(props.get('listener.name.client.sasl.enabled.mechanisms')).toBe('SCRAM-SHA-512');
    expect(props.get('listener.name.client.scram-sha-512.sasl.jaas.config')).toMatch(
      /ScramLoginModule required;/,
    );
    expect(props.get('listener.name.client.ssl.keystore.type')).toBe('PEM');
    expect(props.get('listener.name.client.ssl.client.auth')).toBe('required');
    const tlsOnly = new Map(
      secureListenerProperties({ node, security: { tls: true }, keystoreFile: '/k.pem' }),
    );
    expect(tlsOnly.has('listener.name.client.ssl.client.auth')).toBe(false);
    expect(tlsOnly.has('listener.name.client.sasl.enabled.mechanisms')).toBe(false);
  });

  it('overrides keys in place and appends new ones', () => {
    expect(
      withOverrides(
        [
          ['a', '1'],
          ['b', '2'],
        ],
        [
          ['b', 'x'],
          ['c', '3'],
        ],
      ),
    ).toEqual([
      ['a', '1'],
      ['b', 'x'],
      ['c', '3'],
    ]);
  });
});
