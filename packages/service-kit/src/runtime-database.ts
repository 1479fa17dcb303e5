import type { CommonConfig } from '@kafka-poc/config';
import { createPool, type Pool, poolStats, waitForDatabase } from '@kafka-poc/db';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from './logger.ts';

// The database part of a service's runtime: its pool (in its own schema), the pool gauge, the wait.

/** The service's pool: its own role (DATABASE_URL) and schema (search_path of every connection). */
export function createServicePool(config: CommonConfig, schema: string, logger: Logger): Pool {
  return createPool(
    {
      url: config.database.url,
      max: config.database.poolMax,
      connectionTimeoutMs: config.database.connectTimeoutMs,
      statementTimeoutMs: config.database.statementTimeoutMs,
      applicationName: config.instanceId,
      searchPath: schema,
      ...(config.database.ssl ? { ssl: config.database.ssl } : {}),
    },
    (error) => logger.warn({ err: error }, 'idle database connection lost'),
  );
}

/** db_pool_connections{state}: total, idle, in use and waiting, read at scrape time. */
export function registerPoolMetrics(registry: Registry, pool: Pool): void {
  const gauge = new Gauge({
    name: 'db_pool_connections',
    help: 'DB pool connections by state (total, idle, waiting)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect: () => {
      const stats = poolStats(pool);
      gauge.labels('total').set(stats.total);
      gauge.labels('idle').set(stats.idle);
      gauge.labels('in_use').set(stats.total - stats.idle);
      gauge.labels('waiting').set(stats.waiting);
    },
  });
}

/** Waits until Postgres answers, logging each retry; stops when `signal` aborts. */
export async function waitForServiceDatabase(pool: Pool, signal: AbortSignal, logger: Logger): Promise<void> {
  await waitForDatabase(pool, {
    signal,
    onRetry: (attempt, delayMs, error) =>
      logger.info(
        { attempt, delayMs, reason: error instanceof Error ? error.message : String(error) },
        'waiting for PostgreSQL',
      ),
  });
}
