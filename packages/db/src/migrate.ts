import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { DbError } from './errors.ts';
import type { Pool } from './pool.ts';

const MIGRATION_LOCK = 'kafka-poc:migrations';

export interface MigrationOptions {
  /** Folder with drizzle-kit's SQL files and meta/_journal.json. */
  migrationsFolder: string;
  /** One bookkeeping table per service, so each service migrates only its own tables. */
  migrationsTable: string;
}

/**
 * Applies pending migrations under a Postgres advisory lock, so several instances (of one service or
 * of several) starting at once do not race to apply migrations.
 */
export async function runMigrations(pool: Pool, options: MigrationOptions): Promise<void> {
  const client = await pool.connect();
  try {
    // One lock for every service's migrations: they share drizzle's bookkeeping schema, and two
    // services creating it at once on an empty database collide (duplicate pg_namespace entry).
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client), {
        migrationsFolder: options.migrationsFolder,
        migrationsTable: options.migrationsTable,
      });
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]);
    }
  } catch (error) {
    throw new DbError('DB_MIGRATION_FAILED', `migrations in ${options.migrationsFolder} failed`, {
      cause: error,
      retryable: false,
    });
  } finally {
    client.release();
  }
}
