import { hostname } from 'node:os';
import { z } from 'zod';

// Environment variables every service reads. Parsed once in each service's main.ts and passed down.

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const positiveInt = z.coerce.number().int().positive();

export const commonEnvShape = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  INSTANCE_ID: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.default(false),

  DATABASE_URL: z.url().default('postgres://app:app@127.0.0.1:5432/appdb'),
  DB_POOL_MAX: positiveInt.default(10),
  DB_CONNECT_TIMEOUT_MS: positiveInt.default(2000),
  DB_STATEMENT_TIMEOUT_MS: positiveInt.default(10_000),

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
  KAFKA_SASL_MECHANISM: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_TLS: bool.default(false),
  KAFKA_TOPIC_PARTITIONS: positiveInt.default(3),
  KAFKA_REPLICATION_FACTOR: positiveInt.default(1),
  KAFKA_GROUP_PROTOCOL: z.enum(['consumer', 'classic']).default('consumer'),
  CONSUMER_MAX_BATCH: positiveInt.default(500),

  TOPIC_ORDER_EVENTS: z.string().min(1).default('order-events'),
  TOPIC_INVENTORY_EVENTS: z.string().min(1).default('inventory-events'),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(15_000),
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
  database: { url: string; poolMax: number; connectTimeoutMs: number; statementTimeoutMs: number };
  kafka: {
    brokers: string[];
    clientId: string;
    sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
    tls?: boolean;
    partitions: number;
    replicationFactor: number;
    groupProtocol: 'consumer' | 'classic';
    maxBatchSize: number;
  };
  topics: { orderEvents: string; inventoryEvents: string };
  shutdownTimeoutMs: number;
  tracing: { otlpEndpoint: string | undefined };
}

/** Maps the parsed common variables to the nested config the libraries take. */
export function toCommonConfig(env: CommonEnv, service: string, port: number): CommonConfig {
  const instanceId = env.INSTANCE_ID ?? `${service}-${hostname()}-${process.pid}`;
  const sasl =
    env.KAFKA_SASL_MECHANISM && env.KAFKA_SASL_USERNAME
      ? {
          mechanism: env.KAFKA_SASL_MECHANISM,
          username: env.KAFKA_SASL_USERNAME,
          password: env.KAFKA_SASL_PASSWORD ?? '',
        }
      : undefined;
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
    },
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: instanceId,
      ...(sasl ? { sasl } : {}),
      ...(env.KAFKA_TLS ? { tls: true } : {}),
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
      groupProtocol: env.KAFKA_GROUP_PROTOCOL,
      maxBatchSize: env.CONSUMER_MAX_BATCH,
    },
    topics: { orderEvents: env.TOPIC_ORDER_EVENTS, inventoryEvents: env.TOPIC_INVENTORY_EVENTS },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    tracing: {
      otlpEndpoint:
        env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
        (env.OTEL_EXPORTER_OTLP_ENDPOINT
          ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces`
          : undefined),
    },
  };
}

/** PORT with the service's contract default (order 8000, inventory 8001, notification 8002). */
export function portShape(defaultPort: number) {
  return { PORT: z.coerce.number().int().min(0).max(65535).default(defaultPort) };
}
