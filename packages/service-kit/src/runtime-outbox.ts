import type { CommonConfig } from '@kafka-poc/config';
import type { Pool } from '@kafka-poc/db';
import type { KafkaProducer } from '@kafka-poc/kafka';
import {
  inboxRetentionPurger,
  OutboxRelay,
  type OutboxRelayHooks,
  type RetentionPurger,
} from '@kafka-poc/outbox';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from './logger.ts';
import type { RelayMetrics } from './relay-metrics.ts';
import type { PipelineMetrics } from './runtime-metrics.ts';

// The outbox and inbox part of a service's runtime: relays with their metrics and logs, the inbox
// retention purge, and the backlog gauges.

export interface OutboxDeps {
  config: CommonConfig;
  pool: Pool;
  producer: KafkaProducer;
  pipeline: PipelineMetrics;
  relayMetrics: RelayMetrics;
  logger: Logger;
}

/** The relay of one outbox table, reporting to the service's metrics and log. */
export function createRelay(table: string, deps: OutboxDeps): OutboxRelay {
  const { config, pipeline, relayMetrics: m, logger } = deps;
  return new OutboxRelay({
    pool: deps.pool,
    databaseUrl: config.database.url,
    ...(config.database.ssl ? { databaseSsl: config.database.ssl } : {}),
    producer: deps.producer,
    table,
    lingerMs: config.kafka.relayLingerMs,
    slowLingerMs: config.kafka.relaySlowLingerMs,
    takeoverMs: config.kafka.relayTakeoverMs,
    retentionMs: config.retention.outboxSentMs,
    purge: { batchSize: config.retention.purgeBatchSize },
    applicationName: `outbox-relay ${config.instanceId}`.slice(0, 63),
    hooks: {
      onPublished: (count, oldest) => {
        pipeline.eventsPublished.labels(table).inc(count);
        pipeline.relayDelay.labels(table).observe((Date.now() - oldest.getTime()) / 1000);
      },
      onError: (error, attempt) =>
        logger.warn({ err: error, attempt, outbox: table }, 'outbox relay retrying'),
      onStateChange: (state) => {
        m.relayActive.labels(table).set(state === 'active' ? 1 : 0);
        logger.info({ outbox: table, state }, 'outbox relay state');
      },
      onLockAcquired: ({ takeover, backendPid }) => {
        m.lockAcquired.labels(table, String(takeover)).inc();
        logger.info({ outbox: table, takeover, backendPid }, 'outbox relay lock acquired');
      },
      onLockLost: (reason, cause) => {
        m.lockLost.labels(table, reason).inc();
        logger.warn({ outbox: table, reason, err: cause }, 'outbox relay lost its lock; stopped publishing');
      },
      ...purgeHooks(table, m, logger),
    },
  });
}

/**
 * The purge of an inbox table's rows older than the inbox retention (config.retention.inboxMs), in
 * bounded batches; undefined when the retention is 0 (rows kept).
 */
export function createInboxRetention(table: string, deps: OutboxDeps): RetentionPurger | undefined {
  const { inboxMs, purgeBatchSize } = deps.config.retention;
  if (inboxMs <= 0) return undefined;
  const { onPurged, onPurgeError } = purgeHooks(table, deps.relayMetrics, deps.logger);
  return inboxRetentionPurger({
    pool: deps.pool,
    table,
    retentionMs: inboxMs,
    batchSize: purgeBatchSize,
    hooks: { onPurged, onError: onPurgeError },
  });
}

/** At most one `retention purge` log line per table this often: under load a purge runs every second or so. */
const PURGE_LOG_INTERVAL_MS = 60_000;

/**
 * Metrics and logs of a table's retention purge (outbox or inbox). The metric counts every run; the
 * log line of a run that deleted something is written at most once a minute, with the rows, batches
 * and runs since the previous line (the purge keeps up with the load by running often).
 */
function purgeHooks(
  table: string,
  m: RelayMetrics,
  logger: Logger,
): Required<Pick<OutboxRelayHooks, 'onPurged' | 'onPurgeError'>> {
  let unlogged = { rows: 0, batches: 0, runs: 0, durationMs: 0 };
  let lastLogAt = Number.NEGATIVE_INFINITY;
  return {
    onPurged: (result) => {
      m.purgedRows.labels(table).inc(result.rows);
      unlogged = {
        rows: unlogged.rows + result.rows,
        batches: unlogged.batches + result.batches,
        runs: unlogged.runs + 1,
        durationMs: unlogged.durationMs + result.durationMs,
      };
      const now = performance.now();
      if (now - lastLogAt < PURGE_LOG_INTERVAL_MS) return;
      lastLogAt = now;
      logger.info(
        { table, ...unlogged, durationMs: Math.round(unlogged.durationMs), more: result.more },
        'retention purge',
      );
      unlogged = { rows: 0, batches: 0, runs: 0, durationMs: 0 };
    },
    onPurgeError: (error) => {
      m.purgeFailures.labels(table).inc();
      logger.warn({ err: error, table }, 'retention purge failed; retrying next run');
    },
  };
}

/** outbox_backlog_rows and outbox_oldest_unsent_age_seconds per outbox, one query each per scrape. */
export function registerOutboxMetrics(
  registry: Registry,
  relays: () => readonly { table: string; relay: OutboxRelay }[],
): void {
  const registers = [registry];
  const oldest = new Gauge({
    name: 'outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest unpublished outbox row',
    labelNames: ['outbox'] as const,
    registers,
  });
  const backlog = new Gauge({
    name: 'outbox_backlog_rows',
    help: 'Outbox rows not yet published',
    labelNames: ['outbox'] as const,
    registers,
    collect: async () => {
      for (const { table, relay } of relays()) {
        const b = await relay.backlog().catch(() => undefined);
        if (!b) continue;
        backlog.labels(table).set(b.rows);
        oldest.labels(table).set(b.oldestAgeMs / 1000);
      }
    },
  });
}
