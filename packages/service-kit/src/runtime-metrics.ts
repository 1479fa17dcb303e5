import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface PipelineMetricsOptions {
  /** Brings the lag gauges up to date; called when they are collected (a /metrics scrape). */
  refreshLag?: () => Promise<void>;
}

/** Pipeline metrics shared by every service: consumption, production, outbox, DB pool. */
export function createPipelineMetrics(registry: Registry, options: PipelineMetricsOptions = {}) {
  const registers = [registry];
  /** Consumer group → when the batch it is retrying first failed (ms since epoch), undefined when not retrying. */
  const retryingSince = new Map<string, number | undefined>();
  // Both lag gauges ask; refreshLag shares one sample between them (onDemandSample).
  const collectLag = async () => {
    await options.refreshLag?.();
  };
  return {
    retryingSince,
    eventsConsumed: new Counter({
      name: 'events_consumed_total',
      help: 'Events consumed, by topic and outcome (ok, duplicate, dead_lettered)',
      labelNames: ['topic', 'outcome'] as const,
      registers,
    }),
    batchRetries: new Counter({
      name: 'consumer_batch_retries_total',
      help:
        'Failed batch attempts, retried with backoff (never dead-lettered), by reason: environment ' +
        "(timeouts, locks, connections, deploys), unsupported_event (a newer producer's event is parked), " +
        'unclassified',
      labelNames: ['group', 'reason'] as const,
      registers,
    }),
    batchRetrying: new Gauge({
      name: 'consumer_batch_retrying_seconds',
      help: 'How long the group has been retrying its current batch (0 when its last batch succeeded)',
      labelNames: ['group'] as const,
      registers,
      collect() {
        const now = Date.now();
        for (const [group, since] of retryingSince) {
          this.labels(group).set(since === undefined ? 0 : (now - since) / 1000);
        }
      },
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
      collect: collectLag,
    }),
    consumerLag: new Gauge({
      name: 'consumer_lag_records',
      help: 'Records not yet committed by the group, per partition',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers,
      collect: collectLag,
    }),
  };
}

export type PipelineMetrics = ReturnType<typeof createPipelineMetrics>;
