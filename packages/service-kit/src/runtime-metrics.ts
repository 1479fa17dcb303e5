import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Pipeline metrics shared by every service: consumption, production, outbox, DB pool. */
export function createPipelineMetrics(registry: Registry) {
  const registers = [registry];
  return {
    eventsConsumed: new Counter({
      name: 'events_consumed_total',
      help: 'Events consumed, by topic and outcome (ok, duplicate, dead_lettered)',
      labelNames: ['topic', 'outcome'] as const,
      registers,
    }),
    batchRetries: new Counter({
      name: 'consumer_batch_retries_total',
      help: 'Batches retried after a failure (transient errors are retried, never dead-lettered)',
      labelNames: ['group'] as const,
      registers,
    }),
    handlerDuration: new Histogram({
      name: 'consumer_batch_duration_seconds',
      help: 'Time to handle one fetched batch (decode, DB transaction)',
      labelNames: ['group'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    eventsPublished: new Counter({
      name: 'events_published_total',
      help: 'Events published by the outbox relay, by outbox table',
      labelNames: ['outbox'] as const,
      registers,
    }),
    relayDelay: new Histogram({
      name: 'outbox_publish_delay_seconds',
      help: 'Time from outbox insert to broker acknowledgement (oldest row of each published batch)',
      labelNames: ['outbox'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      registers,
    }),
    consumerLagSeconds: new Gauge({
      name: 'consumer_lag_seconds',
      help: 'Age of the oldest record not yet committed by the group, per partition (0 when caught up)',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers,
    }),
    consumerLag: new Gauge({
      name: 'consumer_lag_records',
      help: 'Records not yet committed by the group, per partition',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers,
    }),
  };
}

export type PipelineMetrics = ReturnType<typeof createPipelineMetrics>;
