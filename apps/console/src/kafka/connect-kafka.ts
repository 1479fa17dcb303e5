import type { KafkaAdmin, KafkaProducer } from '@kafka-poc/kafka';
import { backoffDelay, sleep } from '@kafka-poc/resilience';
import type { Logger } from '@kafka-poc/service-kit';

/** Waits for Kafka with backoff (logging each retry) and starts the admin and producer; returns early when stopped. */
export async function connectKafka(
  admin: KafkaAdmin,
  producer: KafkaProducer | undefined,
  logger: Logger,
  brokers: string[],
  signal: AbortSignal,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.start();
      await admin.describeCluster();
      await producer?.start();
      return;
    } catch (error) {
      if (signal.aborted) return;
      const delayMs = backoffDelay(attempt, { initialMs: 250, maxMs: 5000 });
      logger.info({ attempt, delayMs, brokers, reason: (error as Error).message }, 'waiting for Kafka');
      await sleep(delayMs, signal);
    }
  }
}
