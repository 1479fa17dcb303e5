import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { quoteIdentifier } from './sql-names.ts';

/**
 * TLS to PostgreSQL with libpq's meaning of sslmode: `require` encrypts without verifying the server,
 * `verify-ca` checks the certificate chain, `verify-full` also the host name. PEM text; `ca` replaces
 * Node's default CAs. (@kafka-poc/config builds it from DATABASE_SSL* or the sslmode of DATABASE_URL.)
 */
export interface PoolSslConfig {
  mode: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  ca?: string;
  /** Client certificate and key, for servers that require them. */
  cert?: string;
  key?: string;
}

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
  /** TLS; absent = whatever `url` says to node-postgres (no sslmode = no TLS), as before. */
  ssl?: PoolSslConfig;
  /**
   * The schema unqualified names resolve to (a service's own schema), set on every connection, so
   * where a service's tables are does not depend on its role's settings.
   */
  searchPath?: string;
}

/** node-postgres `ssl` for a mode: false, or node:tls options. */
export function pgSslOptions(ssl: PoolSslConfig): false | ConnectionOptions {
  if (ssl.mode === 'disable') return false;
  const material: ConnectionOptions = {
    ...(ssl.ca ? { ca: ssl.ca } : {}),
    ...(ssl.cert ? { cert: ssl.cert } : {}),
    ...(ssl.key ? { key: ssl.key } : {}),
  };
  if (ssl.mode === 'require') return { ...material, rejectUnauthorized: false };
  if (ssl.mode === 'verify-ca')
    return { ...material, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { ...material, rejectUnauthorized: true };
}

/** URL parameters through which node-postgres would configure TLS on its own (with other meanings). */
const SSL_URL_PARAMS = [
  'ssl',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'sslpassword',
  'uselibpqcompat',
];

/**
 * `connectionString` and `ssl` for a pg.Client or pg.Pool. With `ssl`, the URL's own TLS parameters
 * are removed: node-postgres would otherwise let them override `ssl` (and it reads sslmode=require
 * as verify-full). Also for connections made outside the pool (the outbox relay's LISTEN client).
 */
export function pgConnectionConfig(
  url: string,
  ssl: PoolSslConfig | undefined,
): { connectionString: string; ssl?: false | ConnectionOptions } {
  if (!ssl) return { connectionString: url };
  const parsed = new URL(url);
  const present = SSL_URL_PARAMS.filter((name) => parsed.searchParams.has(name));
  for (const name of present) parsed.searchParams.delete(name);
  return { connectionString: present.length > 0 ? parsed.toString() : url, ssl: pgSslOptions(ssl) };
}

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * Creates a pg pool. Idle-client errors (the server went away) are reported to `onError` instead of
 * crashing the process: the pool discards the client and the next checkout reconnects.
 */
export function createPool(config: PoolConfig, onError: (error: Error) => void): Pool {
  const pool = new pg.Pool({
    // The server enforces statement_timeout only on statements it received. Over a link that turned
    // into a black hole (a frozen middlebox, a partition) a query would wait until the link heals,
    // holding its batch and its partitions (found by the chaos campaign, seed 2). The client gives
    // up a little after the server would have: the error is transient, the work is retried on a new
    // connection, and the broken one is destroyed (withTransaction).
    query_timeout: clientQueryTimeoutMs(config.statementTimeoutMs),
    ...pgConnectionConfig(config.url, config.ssl),
    max: config.max,
    connectionTimeoutMillis: config.connectionTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: config.applicationName,
    ...(config.searchPath ? { options: `-c search_path=${quoteIdentifier(config.searchPath)}` } : {}),
    keepAlive: true,
    Client: TimeoutClosingClient,
  });
  pool.on('error', onError);
  // pg-pool listens for errors on idle clients only. A checked-out client that loses its connection
  // between two queries (e.g. inside a transaction when Postgres shuts down: the server sends 57P01
  // while no query is active) emits 'error' with no listener, an uncaught exception that took down
  // order- and inventory-service (fault test postgres-outage). The work holding the client fails
  // anyway (its next query is refused, and pg-pool discards the broken client on release), so this
  // listener only keeps the process alive; the pool's own listener still reports idle-client errors.
  pool.on('connect', (client) => client.on('error', ignoreCheckedOutClientError));
  return pool;
}

function ignoreCheckedOutClientError(): void {}

/**
 * node-postgres rejects a query after query_timeout but keeps the connection, whose next queries
 * then queue behind the one that never answers: a pooled connection poisoned for good. This client
 * ends its connection instead, so the pool drops it on release (pg-pool removes an ending client)
 * and the retry gets a fresh one.
 */
class TimeoutClosingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: forwards every overload of pg.Client#query unchanged
  override query(...args: any[]): any {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if (isClientQueryTimeout(error)) this.end().catch(() => undefined);
      });
    }
    return result;
  }
}

/** Margin over the server's statement_timeout, so a healthy link always reports the server's error first. */
export const CLIENT_QUERY_TIMEOUT_MARGIN_MS = 5_000;

export function clientQueryTimeoutMs(statementTimeoutMs: number): number {
  return statementTimeoutMs + CLIENT_QUERY_TIMEOUT_MARGIN_MS;
}

/** True when node-postgres gave up waiting for the server (query_timeout): the connection must not be reused. */
export function isClientQueryTimeout(error: unknown): boolean {
  return error instanceof Error && error.message.includes('Query read timeout');
}

/** A point-in-time view of the pool for metrics and readiness. */
export function poolStats(pool: Pool): { total: number; idle: number; waiting: number } {
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}
