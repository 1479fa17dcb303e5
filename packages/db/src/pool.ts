import pg from 'pg';

export interface PoolConfig {
  url: string;
  /** Maximum connections in this process's pool. */
  max: number;
  /** Fail a connect attempt after this long, so a DB outage surfaces quickly instead of hanging requests. */
  connectionTimeoutMs: number;
  /** Server-side statement timeout; bounds how long any query can hold a connection. */
  statementTimeoutMs: number;
  /** Shown in pg_stat_activity. */
  applicationName: string;
}

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * Creates a pg pool. Idle-client errors (the server went away) are reported to `onError` instead of
 * crashing the process: the pool discards the client and the next checkout reconnects.
 */
export function createPool(config: PoolConfig, onError: (error: Error) => void): Pool {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.max,
    connectionTimeoutMillis: config.connectionTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: config.applicationName,
    keepAlive: true,
  });
  pool.on('error', onError);
  return pool;
}

/** A point-in-time view of the pool for metrics and readiness. */
export function poolStats(pool: Pool): { total: number; idle: number; waiting: number } {
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}
