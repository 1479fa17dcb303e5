import type { KafkaConnectionConfig } from '@kafka-poc/kafka';
import { parseBrokers } from '@kafka-poc/kafka';
import { dataRoot, findRunningInfra } from '@kafka-poc/local-stack';

/**
 * Where the CLI connects: KAFKA_BROKERS / DATABASE_URL when set, else the running `npm run infra`
 * (found through .data/infra.json), else the local defaults.
 */
export async function resolveTargets(env: NodeJS.ProcessEnv = process.env): Promise<{
  kafka: KafkaConnectionConfig;
  databaseUrl: string;
}> {
  const infra = await findRunningInfra(dataRoot(env));
  const brokers = env.KAFKA_BROKERS ?? infra?.bootstrapServers ?? '127.0.0.1:9092';
  const databaseUrl = env.DATABASE_URL ?? infra?.databaseUrl ?? 'postgres://app:app@127.0.0.1:5432/appdb';
  return { kafka: { brokers: parseBrokers(brokers), clientId: 'kafka-poc-cli' }, databaseUrl };
}
