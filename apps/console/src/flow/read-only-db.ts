import { createPool, type Pool, type PoolConfig } from '@kafka-poc/db';

export type ReadOnlyDb = Pool;

/**
 * A small pool whose sessions are read-only (Postgres refuses any write in them) with a short
 * statement timeout: the console only reads the views the services publish, for the order timeline
 * and the flow stats, as its own role (which may read nothing else). TLS as for the services
 * (DATABASE_SSL* or the sslmode of DATABASE_URL).
 */
export function createReadOnlyDb(
  url: string,
  onError: (error: Error) => void,
  ssl?: PoolConfig['ssl'],
): ReadOnlyDb {
  return createPool(
    {
      url: readOnlyUrl(url),
      max: 4,
      connectionTimeoutMs: 2000,
      statementTimeoutMs: 5000,
      applicationName: 'console',
      ...(ssl ? { ssl } : {}),
    },
    onError,
  );
}

/** The URL with `options=-c default_transaction_read_only=on` (kept beside any options it has). */
export function readOnlyUrl(url: string): string {
  const parsed = new URL(url);
  const options = [parsed.searchParams.get('options'), '-c default_transaction_read_only=on'].filter(Boolean);
  parsed.searchParams.set('options', options.join(' '));
  return parsed.toString();
}

/**
 * Postgres says a published view (42P01) or its schema (3F000) does not exist yet: the database
 * setup or the services' migrations have not run.
 */
export function isUndefinedTable(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === '42P01' || code === '3F000';
}
