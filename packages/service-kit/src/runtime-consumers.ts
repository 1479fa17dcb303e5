import type { CommonConfig } from '@kafka-poc/config';
import {
  type BatchHandler,
  type ConsumerRunner,
  createConsumerRunner,
  type KafkaAdmin,
  type KafkaConnectionConfig,
  type PartitionLag,
} from '@kafka-poc/kafka';
import { ConsumerRetries } from './consumer-retries.ts';
import type { Logger } from './logger.ts';
import type { PipelineMetrics } from './runtime-metrics.ts';

// The consumer part of a service's runtime: a group member with its timing, retries and logs, and
// the lag sampled for the metrics.

export interface ConsumerSpec {
  groupId: string;
  topics: string[];
  handler: BatchHandler;
}

export interface ConsumerDeps {
  connection: KafkaConnectionConfig;
  kafka: CommonConfig['kafka'];
  pipeline: PipelineMetrics;
  logger: Logger;
}

/** A consumer-group member whose batches are timed and whose failures are counted and logged. */
export function createConsumer(spec: ConsumerSpec, deps: ConsumerDeps): ConsumerRunner {
  const { kafka, pipeline, logger } = deps;
  const group = spec.groupId;
  const retries = new ConsumerRetries({ group, metrics: pipeline, logger });
  const handler: BatchHandler = async (batch, context) => {
    const end = pipeline.handlerDuration.labels(group).startTimer();
    try {
      await spec.handler(batch, context);
      retries.succeeded();
    } finally {
      end();
    }
  };
  return createConsumerRunner({
    connection: deps.connection,
    groupId: group,
    topics: spec.topics,
    handler,
    maxBatchSize: kafka.maxBatchSize,
    maxBatchWaitMs: kafka.batchWaitMs,
    fetchMinBytes: kafka.fetchMinBytes,
    fetchMaxWaitMs: kafka.fetchMaxWaitMs,
    commitIntervalMs: kafka.commitIntervalMs,
    fetchIntervalMs: kafka.fetchIntervalMs,
    groupProtocol: kafka.groupProtocol,
    onError: (error, info) => {
      // attempt 0 is a client event (heartbeat, fetch, skipped commit), not a failed batch.
      if (info.attempt === 0) {
        logger.info({ err: error, group }, 'consumer client event');
      } else if (info.batchSize === 0) {
        logger.warn({ err: error, group, ...info }, 'consumer session failed; reconnecting');
      } else {
        retries.failed(error, info);
      }
    },
  });
}

/** "topic:partition,…" of a member's assignment, for readiness. */
export function formatAssignments(runner: ConsumerRunner): string {
  return runner
    .assignments()
    .map((a) => `${a.topic}:${a.partition}`)
    .join(',');
}

/** Sets consumer_lag and consumer_lag_seconds of each group; a failed sample is logged and skipped. */
export async function sampleLag(
  admin: KafkaAdmin,
  specs: readonly ConsumerSpec[],
  pipeline: PipelineMetrics,
  logger: Logger,
): Promise<void> {
  for (const spec of specs) {
    try {
      const lag = await admin.groupLag(spec.groupId, spec.topics);
      for (const p of lag) {
        const labels = [spec.groupId, p.topic, String(p.partition)] as const;
        pipeline.consumerLag.labels(...labels).set(Number(p.lag));
        pipeline.consumerLagSeconds.labels(...labels).set(await oldestAge(admin, p).catch(() => 0));
      }
    } catch (error) {
      logger.debug({ err: error, group: spec.groupId }, 'lag sample failed');
    }
  }
}

/** Seconds since the first record after the committed offset was written (0 when caught up). */
async function oldestAge(admin: KafkaAdmin, p: PartitionLag): Promise<number> {
  if (p.lag <= 0n || p.committedOffset === undefined) return 0;
  const [record] = await admin.readMessages(p.topic, {
    partition: p.partition,
    fromOffset: p.committedOffset,
    limit: 1,
    timeoutMs: 2000,
  });
  return record ? Math.max(0, (Date.now() - record.timestamp) / 1000) : 0;
}
