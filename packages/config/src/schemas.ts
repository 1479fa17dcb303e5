import { hostname } from 'node:os';
import { AUDIT_TOPIC, TOPICS } from '@kafka-poc/contracts';
import { z } from 'zod';
import {
  type DatabaseSslConfig,
  type KafkaSecurityConfig,
  toDatabaseSsl,
  toKafkaSecurity,
} from './kafka-db-security.ts';
import { pemFile, secretFile } from './secret-files.ts';

export {
  type DatabaseSslConfig,
  type DatabaseSslMode,
  type KafkaSecurityConfig,
  toDatabaseSsl,
  toKafkaSecurity,
} from './kafka-db-security.ts';
export { pemFile, secretFile } from './secret-files.ts';

// Environment variables every service reads. Parsed once in each service's main.ts and passed down.

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const positiveInt = z.coerce.number().int().positive();
/** Like bool, but unset (or empty) stays undefined, so a default can depend on other variables. */
const optionalBool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v === '1' || v === 'true' || v === 'yes'));

export const commonEnvShape = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  INSTANCE_ID: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.default(false),

  /** Services and the console override the default with databaseUrlShape(their role). */
  DATABASE_URL: z.url().default('postgres://app:app@127.0.0.1:5432/appdb'),
  DB_POOL_MAX: positiveInt.default(10),
  DB_CONNECT_TIMEOUT_MS: positiveInt.default(2000),
  DB_STATEMENT_TIMEOUT_MS: positiveInt.default(10_000),
  /** TLS to PostgreSQL (libpq's sslmode); default: `sslmode` of DATABASE_URL, else none. */
  DATABASE_SSL: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).optional(),
  /** CA (PEM) the server certificate must chain to; implies verify-full unless DATABASE_SSL says otherwise. */
  DATABASE_SSL_CA_FILE: pemFile('DATABASE_SSL_CA_FILE', 'CERTIFICATE').optional(),

  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => list.length > 0 && list.every((b) => /^[^:\s]+:\d+$/.test(b)),
      'expected host:port[,host:port…]',
    ),
  /** Default SCRAM-SHA-512 when KAFKA_SASL_USERNAME is set. */
  KAFKA_SASL_MECHANISM: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  /** The password itself, or (preferably) KAFKA_SASL_PASSWORD_FILE: a file holding it (a mounted secret). */
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_SASL_PASSWORD_FILE: secretFile('KAFKA_SASL_PASSWORD_FILE').optional(),
  /** TLS to the brokers; default: on when a KAFKA_TLS_*_FILE is set. Without a CA file: Node's default CAs. */
  KAFKA_TLS: optionalBool,
  KAFKA_TLS_CA_FILE: pemFile('KAFKA_TLS_CA_FILE', 'CERTIFICATE').optional(),
  /** Client certificate and key (PEM) for brokers that require mutual TLS; set both or neither. */
  KAFKA_TLS_CERT_FILE: pemFile('KAFKA_TLS_CERT_FILE', 'CERTIFICATE').optional(),
  KAFKA_TLS_KEY_FILE: pemFile('KAFKA_TLS_KEY_FILE', 'PRIVATE KEY').optional(),
  KAFKA_TOPIC_PARTITIONS: positiveInt.default(3),
  KAFKA_REPLICATION_FACTOR: positiveInt.default(1),
  KAFKA_GROUP_PROTOCOL: z.enum(['consumer', 'classic']).default('consumer'),
  /**
   * How long a send waits for others to share its produce request. 0: the relays already send whole
   * batches, and sends queued while a request is in flight still share the next one; a linger
   * would only add its wait to every hop (measured in docs/performance.md).
   */
  PRODUCER_LINGER_MS: z.coerce.number().int().min(0).default(0),
  /** How long an outbox relay lets rows gather before publishing a batch that is not full. */
  OUTBOX_RELAY_LINGER_MS: z.coerce.number().int().min(0).default(5),
  /**
   * The relay's linger while rows come slowly (fewer than 5 per this interval over the last second):
   * at low rates a row per wake-up would otherwise cost a Kafka request and two statements of its own.
   */
  OUTBOX_RELAY_SLOW_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(20),
  /**
   * Longest time from the active outbox relay freezing, being cut off or dying until a standby
   * instance publishes in its place (lock session idle timeout, heartbeat and standby retries derive
   * from it). Below 2 s heartbeats would flap on a busy host.
   */
  OUTBOX_RELAY_TAKEOVER_MS: z.coerce.number().int().min(2000).max(600_000).default(15_000),
  /** Sent outbox rows are kept this long (for inspection), then purged in batches. */
  OUTBOX_SENT_RETENTION_MS: z.coerce.number().int().min(1000).default(3_600_000),
  /**
   * Inbox rows (processed event ids) are kept this long, then purged in batches; 0 keeps them forever.
   * Must be ≥ the consumed topics' retention.ms + segment.ms (docs/operations.md, "Inbox retention").
   */
  INBOX_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(15 * 24 * 3_600_000),
  /** Most rows one purge statement deletes (outbox and inbox retention). */
  RETENTION_PURGE_BATCH: z.coerce.number().int().min(1).max(10_000).default(1000),
  CONSUMER_MAX_BATCH: positiveInt.default(500),
  /** After a batch's first record, how long a consumer waits for more before handling it. */
  CONSUMER_BATCH_WAIT_MS: z.coerce.number().int().min(0).default(5),
  /**
   * The broker answers a fetch once it has this many bytes or CONSUMER_FETCH_MAX_WAIT_MS has passed:
   * 1 answers at once (a fetch per few records under load); larger lets the broker gather a batch.
   */
  CONSUMER_FETCH_MIN_BYTES: positiveInt.default(1),
  CONSUMER_FETCH_MAX_WAIT_MS: positiveInt.default(500),
  /**
   * Offsets of handled batches are committed at most this often (and on stop); 0 commits after every
   * batch. A crash re-delivers at most this much, which the inboxes absorb.
   */
  /**
   * Fetches that return records are at least this far apart: at low rates a consumer then takes a
   * few records per fetch and per transaction instead of one; an idle consumer still long-polls.
   */
  CONSUMER_FETCH_INTERVAL_MS: z.coerce.number().int().min(0).max(1000).default(20),
  CONSUMER_COMMIT_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),

  TOPIC_ORDER_EVENTS: z.string().min(1).default(TOPICS.orderEvents),
  TOPIC_INVENTORY_EVENTS: z.string().min(1).default(TOPICS.inventoryEvents),
  /** The audit trail (writes through the console and the services' admin API). */
  TOPIC_AUDIT_EVENTS: z.string().min(1).default(AUDIT_TOPIC),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(15_000),
  /**
   * At start a service checks its timeouts against the cluster's failure detection
   * (docs/architecture.md, "Timeouts an order crosses"): `refuse` exits with one line naming the
   * values and the rule; `warn` only logs it (tests and demos that make orders expire on purpose).
   */
  TIMING_CHECK: z.enum(['refuse', 'warn']).default('refuse'),
  /** OpenTelemetry: traces are exported over OTLP/HTTP only when one of these is set (off by default). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
};

const commonEnv = z.object(commonEnvShape);
export type CommonEnv = z.output<typeof commonEnv>;

export interface CommonConfig {
  service: string;
  instanceId: string;
  env: CommonEnv['NODE_ENV'];
  http: { host: string; port: number };
  log: { level: string; pretty: boolean };
  database: {
    url: string;
    poolMax: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    /** Absent: whatever DATABASE_URL says to node-postgres (nothing = no TLS). */
    ssl?: DatabaseSslConfig;
  };
  kafka: {
    brokers: string[];
    clientId: string;
    sasl?: KafkaSecurityConfig['sasl'];
    tls?: KafkaSecurityConfig['tls'];
    partitions: number;
    replicationFactor: number;
    groupProtocol: 'consumer' | 'classic';
    maxBatchSize: number;
    lingerMs: number;
    relayLingerMs: number;
    relaySlowLingerMs: number;
    relayTakeoverMs: number;
    batchWaitMs: number;
    fetchMinBytes: number;
    fetchMaxWaitMs: number;
    commitIntervalMs: number;
    fetchIntervalMs: number;
  };
  topics: { orderEvents: string; inventoryEvents: string; auditEvents: string };
  /** Purges of sent outbox rows and of inbox rows (inboxMs 0 = keep forever). */
  retention: { outboxSentMs: number; inboxMs: number; purgeBatchSize: number };
  shutdownTimeoutMs: number;
  timingCheck: 'refuse' | 'warn';
  tracing: { otlpEndpoint: string | undefined };
}

/**
 * Maps the parsed common variables to the nested config the libraries take. Throws ConfigError for
 * security settings that contradict each other or are incomplete (e.g. a SASL user without a password).
 */
export function toCommonConfig(env: CommonEnv, service: string, port: number): CommonConfig {
  const instanceId = env.INSTANCE_ID ?? `${service}-${hostname()}-${process.pid}`;
  const { sasl, tls } = toKafkaSecurity(env);
  const ssl = toDatabaseSsl(env);
  return {
    service,
    instanceId,
    env: env.NODE_ENV,
    http: { host: env.HOST, port },
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY },
    database: {
      url: env.DATABASE_URL,
      poolMax: env.DB_POOL_MAX,
      connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
      ...(ssl ? { ssl } : {}),
    },
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: instanceId,
      ...(sasl ? { sasl } : {}),
      ...(tls ? { tls } : {}),
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
      groupProtocol: env.KAFKA_GROUP_PROTOCOL,
      maxBatchSize: env.CONSUMER_MAX_BATCH,
      lingerMs: env.PRODUCER_LINGER_MS,
      relayLingerMs: env.OUTBOX_RELAY_LINGER_MS,
      relaySlowLingerMs: env.OUTBOX_RELAY_SLOW_LINGER_MS,
      relayTakeoverMs: env.OUTBOX_RELAY_TAKEOVER_MS,
      batchWaitMs: env.CONSUMER_BATCH_WAIT_MS,
      fetchMinBytes: env.CONSUMER_FETCH_MIN_BYTES,
      fetchMaxWaitMs: env.CONSUMER_FETCH_MAX_WAIT_MS,
      commitIntervalMs: env.CONSUMER_COMMIT_INTERVAL_MS,
      fetchIntervalMs: env.CONSUMER_FETCH_INTERVAL_MS,
    },
    topics: {
      orderEvents: env.TOPIC_ORDER_EVENTS,
      inventoryEvents: env.TOPIC_INVENTORY_EVENTS,
      auditEvents: env.TOPIC_AUDIT_EVENTS,
    },
    retention: {
      outboxSentMs: env.OUTBOX_SENT_RETENTION_MS,
      inboxMs: env.INBOX_RETENTION_MS,
      purgeBatchSize: env.RETENTION_PURGE_BATCH,
    },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    timingCheck: env.TIMING_CHECK,
    tracing: {
      otlpEndpoint:
        env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
        (env.OTEL_EXPORTER_OTLP_ENDPOINT
          ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces`
          : undefined),
    },
  };
}

/** Local development and the tests only: a role's password is its name (`npm start` creates them so). */
export function localRolePassword(role: string): string {
  return role;
}

/** `url` (default: the local database) with `role` and its local password as credentials. */
export function localDatabaseUrl(role: string, url = 'postgres://127.0.0.1:5432/appdb'): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(role);
  parsed.password = encodeURIComponent(localRolePassword(role));
  return parsed.toString();
}

/**
 * DATABASE_URL of a service (or the console): it connects as its own role, which owns its schema
 * and nothing else (docs/architecture.md, "Data ownership"). Default: that role on the local database.
 */
export function databaseUrlShape(role: string) {
  return { DATABASE_URL: z.url().default(localDatabaseUrl(role)) };
}

/** PORT with the service's contract default (order 8000, inventory 8001, notification 8002). */
export function portShape(defaultPort: number) {
  return { PORT: z.coerce.number().int().min(0).max(65535).default(defaultPort) };
}
