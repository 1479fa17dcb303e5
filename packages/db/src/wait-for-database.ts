import { backoffDelay, sleep } from '@kafka-poc/resilience';
import { isRetryableDbError } from './errors.ts';
import type { Pool } from './pool.ts';
import { asNotSetUp, connectionTarget } from './setup-problem.ts';

/**
 * Retries `SELECT 1` with backoff until the server answers, saying what it waits for on each retry.
 * Stops early (throwing) when the signal aborts or on a non-transient error such as bad credentials;
 * one saying the database was not set up for this role (no such role or database, no privilege) is
 * thrown as DB_NOT_SET_UP, its message one line naming what is missing and `npm run db:setup`.
 */
export async function waitForDatabase(
  pool: Pool,
  options: {
    signal?: AbortSignal;
    onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
  } = {},
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query('SELECT 1');
      return;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (!isRetryableDbError(error)) throw asNotSetUp(error, targetOf(pool));
      const delay = backoffDelay(attempt, { initialMs: 250, maxMs: 5_000 });
      options.onRetry?.(attempt, delay, error);
      await sleep(delay, options.signal);
    }
  }
}

/** The role and database the pool connects as and to, and the schema of its search_path. */
function targetOf(pool: Pool) {
  const { connectionString, user, database, options } = pool.options;
  const schema = /search_path=("?)([^"\s]+)\1/.exec(options ?? '')?.[2];
  const fromUrl = connectionTarget(connectionString, schema);
  return { role: fromUrl.role ?? user, database: fromUrl.database ?? database, schema };
}
