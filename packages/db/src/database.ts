import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Pool } from './pool.ts';

/** `$client` is the pool, for the few hot statements written as prepared SQL rather than with drizzle. */
export type Database = NodePgDatabase<Record<string, never>> & { $client: Pool };
/** The handle a `db.transaction(async (tx) => …)` callback receives. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** Drizzle over the shared pool; one per process, created in the service's composition root. */
export function createDatabase(pool: Pool): Database {
  const db = drizzle({ client: pool });
  db.transaction = (work, config) => transactionOnOwnClient(pool, work, config);
  return db;
}

/**
 * drizzle's own transaction() over a pool (drizzle-orm 0.45) sends BEGIN before its try/finally, so a
 * BEGIN that fails (a dead or black-holed connection) never releases the pooled client: each such
 * failure leaks a pool slot until the pool is exhausted for good. And when ROLLBACK fails it hands
 * the broken client back to the pool. Here the client is checked out and released by us, and one
 * whose transaction failed is destroyed rather than reused (a reconnect is cheap; failures are rare).
 */
async function transactionOnOwnClient<T>(
  pool: Pool,
  work: (tx: Transaction) => Promise<T>,
  config: Parameters<Database['transaction']>[1],
): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    return await drizzle({ client }).transaction(work, config);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(failure);
  }
}
