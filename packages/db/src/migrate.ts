// Applies drizzle-kit's migrations (the files read by drizzle's readMigrationFiles, drizzle's
// bookkeeping table) in the service's own schema. Our own loop because drizzle's migrate() always
// runs `CREATE SCHEMA IF NOT EXISTS`, which needs CREATE on the whole database even when the schema
// exists, and a service's role owns only its own schemas. One difference on purpose: drizzle applies
// only migrations newer than the last one recorded, so one generated on a branch that merged after a
// newer one would never run; this applies every migration not recorded yet, in journal order.
import { type MigrationMeta, readMigrationFiles } from 'drizzle-orm/migrator';
import { DbError } from './errors.ts';
import type { Pool, PoolClient } from './pool.ts';
import { DB_SETUP_HINT } from './setup-problem.ts';
import { quoteIdentifier } from './sql-names.ts';

/** drizzle's name for its bookkeeping table, here one per service schema. */
export const MIGRATIONS_TABLE = '__drizzle_migrations';

export interface MigrationOptions {
  /** Folder with drizzle-kit's SQL files and meta/_journal.json. */
  migrationsFolder: string;
  /**
   * The service's schema (created by the database setup, owned by the service's role): migrations run
   * with it as search_path, and the bookkeeping table lives in it.
   */
  schema: string;
}

/**
 * Applies pending migrations under an advisory lock per schema, so several instances of a service
 * starting at once do not race. All pending migrations run in one transaction.
 */
export async function runMigrations(pool: Pool, options: MigrationOptions): Promise<void> {
  const schema = quoteIdentifier(options.schema);
  const table = `${schema}.${quoteIdentifier(MIGRATIONS_TABLE)}`;
  const migrations = readMigrationFiles({ migrationsFolder: options.migrationsFolder });
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`kafka-poc:migrations:${options.schema}`]);
    try {
      await assertSchemaWritable(client, options.schema);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${table} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
      );
      const { rows } = await client.query<{ created_at: string }>(`SELECT created_at FROM ${table}`);
      const pending = pendingMigrations(
        migrations,
        rows.map((r) => Number(r.created_at)),
      );
      if (pending.length === 0) return;
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL search_path TO ${schema}`);
        for (const migration of pending) {
          for (const statement of migration.sql) await client.query(statement);
          await client.query(`INSERT INTO ${table} (hash, created_at) VALUES ($1, $2)`, [
            migration.hash,
            migration.folderMillis,
          ]);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [
        `kafka-poc:migrations:${options.schema}`,
      ]);
    }
  } catch (error) {
    if (error instanceof DbError) throw error;
    throw new DbError('DB_MIGRATION_FAILED', `migrations in ${options.migrationsFolder} failed`, {
      cause: error,
      retryable: false,
    });
  } finally {
    client.release();
  }
}

/** The migrations not recorded yet (by their journal time, as drizzle records them), in journal order. */
export function pendingMigrations(migrations: MigrationMeta[], recorded: number[]): MigrationMeta[] {
  const applied = new Set(recorded);
  return migrations.filter((m) => !applied.has(m.folderMillis));
}

/** The schema must exist and take this role's tables: the database setup's job, not the service's. */
async function assertSchemaWritable(client: PoolClient, schema: string): Promise<void> {
  const { rows } = await client.query<{ role: string; db: string; writable: boolean | null }>(
    `SELECT current_user AS role, current_database() AS db,
            (SELECT has_schema_privilege(oid, 'CREATE') FROM pg_namespace WHERE nspname = $1) AS writable`,
    [schema],
  );
  const { role, db, writable } = rows[0] ?? { role: '?', db: '?', writable: null };
  if (writable) return;
  throw new DbError(
    'DB_SCHEMA_MISSING',
    writable === false
      ? `database not set up: role "${role}" may not create tables in schema "${schema}" of database "${db}" (the schema is not its own; or DATABASE_URL is not the service's own role); ${DB_SETUP_HINT}`
      : `database not set up: schema "${schema}" does not exist in database "${db}" (role "${role}"); ${DB_SETUP_HINT}`,
    { retryable: false },
  );
}
