import { backoffDelay, sleep } from '@kafka-poc/resilience';
import { isRetryableDbError } from './errors.ts';
import type { Pool } from './pool.ts';

/**
 * Retries `SELECT 1` with backoff until the server answers, saying what it waits for on each retry.
 * Stops early (throwing) when the signal aborts or on a non-transient error such as bad credentials.
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
      if (!isRetryableDbError(error) || options.signal?.aborted) throw error;
      const delay = backoffDelay(attempt, { initialMs: 250, maxMs: 5_000 });
      options.onRetry?.(attempt, delay, error);
      await sleep(delay, options.signal);
    }
  }
}
