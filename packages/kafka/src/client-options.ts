import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { type ConnectionOptions, createSecureContext } from 'node:tls';
import { backoffDelay } from '@kafka-poc/resilience';
import type { BaseOptions } from '@platformatic/kafka';
import { guardConnectionErrors } from './connection-guard.ts';
import { KafkaError } from './errors.ts';
import type { KafkaConnectionConfig } from './types.ts';

const defaultRequestTimeoutMs = 5000;

/** Library retry delays: exponential from 100 ms to 2 s, so an outage costs few requests but recovery is quick. */
const libraryRetryBackoff = { initialMs: 100, maxMs: 2000 };

const mechanisms = new Set(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);

/**
 * Options shared by every client created from one connection config (producer, consumer runner, admin
 * and its reader), including SASL and TLS. Throws KafkaError INVALID_ARGUMENT for incomplete security
 * settings, so a misconfiguration fails at start instead of as a connection error later.
 */
export function baseClientOptions(connection: KafkaConnectionConfig, clientIdSuffix?: string): BaseOptions {
  const timeout = connection.requestTimeoutMs ?? defaultRequestTimeoutMs;
  const options: BaseOptions = {
    clientId: clientIdSuffix ? `${connection.clientId}-${clientIdSuffix}` : connection.clientId,
    bootstrapBrokers: connection.brokers,
    // `timeout` is what the broker is told to wait (acks, topic creation); the client-side
    // `requestTimeout` must exceed it, or answers that are merely slow would be cut off.
    timeout,
    connectTimeout: timeout,
    requestTimeout: timeout * 2,
    retryDelay: (_client, _operation, attempt) => backoffDelay(attempt, libraryRetryBackoff),
  };
  const sasl = saslOptions(connection.sasl);
  if (sasl) options.sasl = sasl;
  const tls = tlsOptions(connection.tls);
  if (tls) {
    options.tls = tls;
    // SNI: the library sends none unless asked, and proxies or ingresses in front of brokers (Strimzi
    // route/ingress listeners, cloud services) route on it. Not for IP addresses, which SNI forbids.
    if (connection.brokers.some((broker) => isIP(brokerHost(broker)) === 0)) options.tlsServerName = true;
  }
  if (sasl || tls) guardConnectionErrors();
  return options;
}

/** The library's SASL options: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 with a user name and password. */
export function saslOptions(sasl: KafkaConnectionConfig['sasl']): BaseOptions['sasl'] {
  if (!sasl) return undefined;
  const { mechanism, username, password } = sasl;
  if (!mechanisms.has(mechanism)) {
    throw invalid(`Unsupported SASL mechanism "${mechanism}"; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`);
  }
  if (!username) throw invalid(`SASL ${mechanism} needs a user name`);
  if (!password) throw invalid(`SASL ${mechanism} needs a password (user ${username})`);
  return { mechanism, username, password };
}

/**
 * node:tls options: `true` trusts Node's default CAs (Mozilla's list, plus NODE_EXTRA_CA_CERTS or the
 * OS store with --use-system-ca); `ca` replaces them; `cert` + `key` present a client certificate.
 * The PEM text is checked here (parseable, key matches certificate).
 */
export function tlsOptions(tls: KafkaConnectionConfig['tls']): ConnectionOptions | undefined {
  if (!tls) return undefined;
  if (tls === true) return {};
  const { ca, cert, key, rejectUnauthorized } = tls;
  if (Boolean(cert) !== Boolean(key)) {
    throw invalid('A TLS client certificate needs its private key, and the key its certificate');
  }
  const options: ConnectionOptions = {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
  };
  try {
    // createSecureContext checks the key against the certificate but silently skips a CA it cannot parse.
    if (ca) checkCertificates(ca);
    createSecureContext(options);
  } catch (error) {
    throw invalid(`Invalid TLS certificate or key: ${(error as Error).message}`, error);
  }
  return options;
}

/** Throws unless the text holds one or more parseable PEM certificates. */
function checkCertificates(pem: string): void {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error('the CA holds no PEM certificate');
  for (const block of blocks) new X509Certificate(block);
}

/** "host:port" or "[v6]:port" → host. */
function brokerHost(broker: string): string {
  return broker.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
}

function invalid(message: string, cause?: unknown): KafkaError {
  return new KafkaError('INVALID_ARGUMENT', message, { cause, retryable: false });
}
