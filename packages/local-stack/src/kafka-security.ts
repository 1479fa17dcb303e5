import { createHash } from 'node:crypto';
import { LocalStackError } from './errors.ts';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export type KafkaSecurityProtocol = 'PLAINTEXT' | 'SASL_PLAINTEXT' | 'SSL' | 'SASL_SSL';

/**
 * Security of the client listener of a local broker. Without it (the default) the broker has one
 * PLAINTEXT listener, as always. With it, clients connect to the same port through SASL and/or TLS,
 * while brokers talk to each other and to the controllers over PLAINTEXT listeners on 127.0.0.1.
 */
export interface KafkaSecurityOptions {
  /** SASL/SCRAM. KRaft takes the users when the storage is formatted (StorageTool --add-scram). */
  scram?: { mechanism: ScramMechanism; users: { name: string; password: string }[] };
  /**
   * TLS with a throwaway CA made in <dataDir>/tls (the cluster's `caFile`). `clientAuth` also makes the
   * broker require a client certificate signed by that CA (`clientCertFile`/`clientKeyFile`).
   */
  tls?: boolean | { clientAuth?: boolean };
}

/** What a client needs to connect to a secured local broker; matches @kafka-poc/kafka's connection options. */
export interface KafkaClientSecurity {
  sasl?: { mechanism: ScramMechanism; username: string; password: string };
  tls?: { ca: string; cert?: string; key?: string };
}

/** A user as recorded in cluster.json: no password, only a salted hash to notice a changed one. */
export interface ScramUserRecord {
  name: string;
  mechanism: ScramMechanism;
  fingerprint: string;
}

export function securityProtocol(security: KafkaSecurityOptions | undefined): KafkaSecurityProtocol {
  const sasl = Boolean(security?.scram);
  const tls = Boolean(security?.tls);
  if (sasl) return tls ? 'SASL_SSL' : 'SASL_PLAINTEXT';
  return tls ? 'SSL' : 'PLAINTEXT';
}

export function wantsClientAuth(security: KafkaSecurityOptions | undefined): boolean {
  return typeof security?.tls === 'object' && security.tls.clientAuth === true;
}

// StorageTool splits --add-scram on commas even inside quotes; keep names and passwords to safe characters.
const SAFE_NAME = /^[A-Za-z0-9._@-]{1,128}$/;
const SAFE_PASSWORD = /^[\x21\x23-\x2b\x2d-\x7e]{8,256}$/;

/** Rejects options the broker could not honour, before anything is written. */
export function validateSecurity(security: KafkaSecurityOptions | undefined): void {
  const scram = security?.scram;
  if (!scram) return;
  const invalid = (message: string) =>
    new LocalStackError('INVALID_ARGUMENT', `security.scram: ${message}`, { retryable: false });
  if (scram.mechanism !== 'SCRAM-SHA-256' && scram.mechanism !== 'SCRAM-SHA-512') {
    throw invalid(`mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512, got "${String(scram.mechanism)}"`);
  }
  if (scram.users.length === 0) throw invalid('at least one user is needed');
  const names = new Set<string>();
  for (const user of scram.users) {
    if (!SAFE_NAME.test(user.name)) throw invalid(`user name "${user.name}" must match ${SAFE_NAME}`);
    if (names.has(user.name)) throw invalid(`user "${user.name}" is listed twice`);
    names.add(user.name);
    if (!SAFE_PASSWORD.test(user.password)) {
      throw invalid(
        `the password of "${user.name}" must be 8-256 printable ASCII characters without spaces, commas or double quotes`,
      );
    }
  }
}

/** StorageTool arguments that add the users' credentials to the bootstrap metadata. */
export function scramFormatArgs(security: KafkaSecurityOptions | undefined): string[] {
  const scram = security?.scram;
  if (!scram) return [];
  return scram.users.flatMap((u) => [
    '--add-scram',
    `${scram.mechanism}=[name="${u.name}",password="${u.password}"]`,
  ]);
}

export function scramUserRecords(
  clusterId: string,
  security: KafkaSecurityOptions | undefined,
): ScramUserRecord[] {
  const scram = security?.scram;
  if (!scram) return [];
  return scram.users.map((u) => ({
    name: u.name,
    mechanism: scram.mechanism,
    fingerprint: createHash('sha256')
      .update(`${clusterId}\0${scram.mechanism}\0${u.name}\0${u.password}`)
      .digest('hex'),
  }));
}

/** Requested users that the formatted storage does not hold with the same mechanism and password. */
export function missingScramUsers(stored: ScramUserRecord[], requested: ScramUserRecord[]): string[] {
  return requested
    .filter(
      (r) =>
        !stored.some(
          (s) => s.name === r.name && s.mechanism === r.mechanism && s.fingerprint === r.fingerprint,
        ),
    )
    .map((r) => `${r.name} (${r.mechanism})`);
}

export interface SecureNodePorts {
  nodeId: number;
  brokerPort: number;
  controllerPort: number;
  /** PLAINTEXT listener for inter-broker traffic on 127.0.0.1. */
  internalPort: number;
}

/**
 * The properties that turn a node's PLAINTEXT client listener into a secured one named CLIENT, on the
 * same port. Replication and controller traffic stay PLAINTEXT on 127.0.0.1 (INTERNAL, CONTROLLER):
 * fine for a broker that only listens on loopback, and no inter-broker credentials or truststores needed.
 */
export function secureListenerProperties(args: {
  node: SecureNodePorts;
  security: KafkaSecurityOptions;
  /** PEM file with the broker's key and certificate chain (TLS only). */
  keystoreFile?: string;
  /** PEM file of the CA that signs client certificates (clientAuth only). */
  truststoreFile?: string;
}): [string, string][] {
  const { node, security } = args;
  const protocol = securityProtocol(security);
  const props: [string, string][] = [
    [
      'listeners',
      `CLIENT://127.0.0.1:${node.brokerPort},CONTROLLER://127.0.0.1:${node.controllerPort},INTERNAL://127.0.0.1:${node.internalPort}`,
    ],
    [
      'advertised.listeners',
      `CLIENT://127.0.0.1:${node.brokerPort},INTERNAL://127.0.0.1:${node.internalPort}`,
    ],
    ['inter.broker.listener.name', 'INTERNAL'],
    ['listener.security.protocol.map', `CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,CLIENT:${protocol}`],
  ];
  const scram = security.scram;
  if (scram) {
    // A server-side JAAS entry is required per mechanism, even though SCRAM needs no options in it.
    props.push(
      ['listener.name.client.sasl.enabled.mechanisms', scram.mechanism],
      [
        `listener.name.client.${scram.mechanism.toLowerCase()}.sasl.jaas.config`,
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      ],
    );
  }
  if (security.tls) {
    if (!args.keystoreFile) {
      throw new LocalStackError('INVALID_ARGUMENT', 'TLS needs a keystore file.', { retryable: false });
    }
    props.push(
      ['listener.name.client.ssl.keystore.type', 'PEM'],
      ['listener.name.client.ssl.keystore.location', args.keystoreFile],
    );
    if (wantsClientAuth(security) && args.truststoreFile) {
      props.push(
        ['listener.name.client.ssl.client.auth', 'required'],
        ['listener.name.client.ssl.truststore.type', 'PEM'],
        ['listener.name.client.ssl.truststore.location', args.truststoreFile],
      );
    }
  }
  return props;
}

/** Replaces the keys `overrides` sets (in place, keeping the order) and appends the new ones. */
export function withOverrides(props: [string, string][], overrides: [string, string][]): [string, string][] {
  const byKey = new Map(overrides);
  const replaced = props.map(([k, v]): [string, string] => [k, byKey.get(k) ?? v]);
  const existing = new Set(props.map(([k]) => k));
  return [...replaced, ...overrides.filter(([k]) => !existing.has(k))];
}
