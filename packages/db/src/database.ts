import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Pool } from './pool.ts';

/** `$client` is the pool, for the few hot statements written as prepared SQL rather than with drizzle. */
export type Database = NodePgDatabase<Record<string, never>> & { $client: Pool };
/** The handle a `db.transaction(async (tx) => …)` callback receives. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** Drizzle over the shared pool; one per process, created in the service's composition root. */
export function createDatabase(pool: Pool): Database {
  return drizzle({ client: pool });
}
