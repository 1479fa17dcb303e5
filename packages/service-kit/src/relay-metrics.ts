import { Counter, Gauge, type Registry } from 'prom-client';

/** Metrics of the outbox relays' lock (who publishes) and of the retention purges (outbox and inbox). */
export function createRelayMetrics(registry: Registry) {
  const registers = [registry];
  return {
    relayActive: new Gauge({
      name: 'outbox_relay_active',
      help: 'Whether this instance is the publishing relay of the outbox (1) or a standby/stopped (0)',
      labelNames: ['outbox'] as const,
      registers,
    }),
    lockAcquired: new Counter({
      name: 'outbox_relay_lock_acquired_total',
      help: 'Times this relay got its outbox lock; takeover="true" when another relay held it before',
      labelNames: ['outbox', 'takeover'] as const,
      registers,
    }),
    lockLost: new Counter({
      name: 'outbox_relay_lock_lost_total',
      help: 'Times this relay lost (or could not prove) its lock and stopped publishing, by reason',
      labelNames: ['outbox', 'reason'] as const,
      registers,
    }),
    purgedRows: new Counter({
      name: 'retention_purged_rows_total',
      help: 'Rows deleted by retention purges (sent outbox rows, processed inbox rows), by table',
      labelNames: ['table'] as const,
      registers,
    }),
    purgeFailures: new Counter({
      name: 'retention_purge_failures_total',
      help: 'Purge runs that failed (lock or statement timeout, DB unavailable); the next run retries',
      labelNames: ['table'] as const,
      registers,
    }),
  };
}

export type RelayMetrics = ReturnType<typeof createRelayMetrics>;
