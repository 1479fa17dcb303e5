import type { CommonConfig } from '@kafka-poc/config';
import { deadLetterTopic } from '@kafka-poc/contracts';
import type { KafkaAdmin, KafkaConnectionConfig, TopicSpec } from '@kafka-poc/kafka';
import { backoffDelay, declaredRetryable, sleep } from '@kafka-poc/resilience';
import type { Logger } from './logger.ts';

// The Kafka part of a service's runtime: the connection, waiting for the cluster, its topics.

export function kafkaConnection(config: CommonConfig): KafkaConnectionConfig {
  return {
    brokers: config.kafka.brokers,
    clientId: config.kafka.clientId,
    ...(config.kafka.sasl ? { sasl: config.kafka.sasl } : {}),
    ...(config.kafka.tls ? { tls: config.kafka.tls } : {}),
  };
}

/**
 * Starts the admin and waits until the cluster answers, with backoff; stops when `signal` aborts.
 * Starting is inside the wait: it asks the brokers for metadata, and a service (re)started while
 * Kafka is unreachable must wait for it, not exit (chaos campaign: a restart during a cut link).
 */
export async function waitForKafka(
  admin: KafkaAdmin,
  brokers: string[],
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.start();
      await admin.describeCluster();
      return;
    } catch (error) {
      if (signal.aborted) throw error;
      const delayMs = backoffDelay(attempt, { initialMs: 250, maxMs: 5000 });
      logger.info({ attempt, delayMs, brokers, reason: (error as Error).message }, 'waiting for Kafka');
      await sleep(delayMs, signal);
    }
  }
}

/** Kafka may go away between the readiness probe and a client's start: retry what is retryable. */
export async function retryStart(
  what: string,
  start: () => Promise<void>,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      return;
    } catch (error) {
      if (declaredRetryable(error) !== true || signal.aborted) throw error;
      const delayMs = backoffDelay(attempt, { initialMs: 250, maxMs: 5000 });
      logger.info({ attempt, delayMs, reason: (error as Error).message }, `waiting to start ${what}`);
      await sleep(delayMs, signal);
    }
  }
}

/** Creates the topics (each with its dead-letter topic) that do not exist yet. */
export async function ensureTopics(
  admin: KafkaAdmin,
  topics: string[],
  kafka: CommonConfig['kafka'],
  logger: Logger,
): Promise<void> {
  const specs = topics.flatMap((name) => [topicSpec(name, kafka), topicSpec(deadLetterTopic(name), kafka)]);
  const created = await admin.ensureTopics(specs);
  if (created.length > 0) logger.info({ topics: created }, 'topics created');
}

function topicSpec(name: string, kafka: CommonConfig['kafka']): TopicSpec {
  const { partitions, replicationFactor } = kafka;
  return {
    name,
    partitions,
    replicationFactor,
    ...(replicationFactor >= 3 ? { configs: { 'min.insync.replicas': '2' } } : {}),
  };
}
