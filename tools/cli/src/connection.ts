import { commonEnvShape, loadConfig, toCommonConfig } from '@kafka-poc/config';
import type { PoolSslConfig } from '@kafka-poc/db';
import type { KafkaConnectionConfig } from '@kafka-poc/kafka';
import { dataRoot, findRunningInfra } from '@kafka-poc/local-stack';
import { z } from 'zod';

/**
 * Where the CLI connects: the environment (KAFKA_BROKERS, DATABASE_URL and the same KAFKA_SASL_*,
 * KAFKA_TLS*, DATABASE_SSL* variables the services read), filled in from the running `npm run infra`
 * (.data/infra.json, including its client security variables), else the local defaults.
 */
export async function resolveTargets(env: NodeJS.ProcessEnv): Promise<{
  kafka: KafkaConnectionConfig;
  databaseUrl: string;
  databaseSsl: PoolSslConfig | undefined;
  /** INBOX_RETENTION_MS as the services read it (default 15 d; 0 keeps inbox rows forever). */
  inboxRetentionMs: number;
}> {
  const infra = await findRunningInfra(dataRoot(env));
  const merged: NodeJS.ProcessEnv = {
    ...(infra?.clientEnv?.kafka ?? {}),
    ...(infra?.clientEnv?.database ?? {}),
    ...(infra ? { KAFKA_BROKERS: infra.bootstrapServers, DATABASE_URL: infra.databaseUrl } : {}),
    ...env,
  };
  const config = toCommonConfig(loadConfig(z.object(commonEnvShape), merged), 'kafka-poc-cli', 0);
  const { brokers, sasl, tls } = config.kafka;
  return {
    kafka: { brokers, clientId: 'kafka-poc-cli', ...(sasl ? { sasl } : {}), ...(tls ? { tls } : {}) },
    databaseUrl: config.database.url,
    databaseSsl: config.database.ssl,
    inboxRetentionMs: config.retention.inboxMs,
  };
}
