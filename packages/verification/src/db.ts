import { DbError, isRetryableDbError, sqlState } from '@kafka-poc/db';
import { type BackoffOptions, backoffDelay, settlesWithin, sleep } from '@kafka-poc/resilience';
import pg from 'pg';

/**
 * What the checker needs of a connection: pg.Client's own shape, so a test can pass a fake one (an
 * EventEmitter whose queries fail, or that emits 'error' as pg does when its connection dies).
 */
export interface CheckerClient {
  connect(): Promise<unknown>;
  query<R extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** Makes the client of one attempt (default: a new pg.Client). */
export type CheckerClientFactory = (config: pg.ClientConfig) => CheckerClient;

export interface CheckerDbOptions {
  /**
   * How long to keep trying while Postgres cannot be reached (restarting, stopped, connections cut),
   * from the first attempt; then the call fails with DB_UNAVAILABLE naming the server. Default 2 min.
   */
  deadlineMs?: number;
  /** Waits between attempts (default 250 ms doubling to 5 s, as the services' waitForDatabase). */
  backoff?: BackoffOptions;
  /** Longest wait for one connection, ms (default 5000; never past the deadline). */
  connectTimeoutMs?: number;
  /** Longest wait for one statement's answer, ms (default 60 s; never past the deadline). */
  statementTimeoutMs?: number;
  /** Stops retrying (the call then fails with the last error). */
  signal?: AbortSignal;
  /** Told before each wait for the next attempt (e.g. to log that Postgres is unreachable). */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown; target: string }) => void;
  /**
   * Told of every 'error' a connection emits (pg emits one when the connection dies: Postgres
   * restarted, the backend terminated, the socket reset). The statement in flight fails too, and is
   * retried; without a listener pg's 'error' would be an uncaught exception that ends the process.
   */
  onConnectionError?: (error: Error) => void;
  /** The connection's maker (tests pass fakes). */
  createClient?: CheckerClientFactory;
}

export const CHECKER_DB_DEADLINE_MS = 120_000;
const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 5000 };
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;
/** Shortest time an attempt gets, however close the deadline. */
const MIN_ATTEMPT_MS = 1000;
/** Closing a connection never holds the checker longer than this. */
const END_TIMEOUT_MS = 5000;

const defaultFactory: CheckerClientFactory = (config) => new pg.Client(config);

/**
 * Runs `work` on a connection of its own, closed afterwards (the checker holds no pool between
 * reads). While Postgres is unreachable — a transient error by the services' own classification
 * (`isOutage`: refused, reset, terminated, shutting down or starting up, timed out) — the
 * whole of `work` is retried on a new connection with backoff, until `deadlineMs`; then it fails
 * with a DbError DB_UNAVAILABLE naming the server and the last error. Any other error (a wrong
 * statement) fails at once. `work` must be safe to run again (the checker only reads).
 */
export async function withConnection<T>(
  databaseUrl: string,
  work: (client: CheckerClient) => Promise<T>,
  options: CheckerDbOptions = {},
): Promise<T> {
  const deadlineMs = options.deadlineMs ?? CHECKER_DB_DEADLINE_MS;
  const started = Date.now();
  const target = describeTarget(databaseUrl);
  for (let attempt = 1; ; attempt++) {
    const remaining = deadlineMs - (Date.now() - started);
    try {
      return await attemptOnce(databaseUrl, work, options, Math.max(MIN_ATTEMPT_MS, remaining));
    } catch (error) {
      if (!isOutage(error) || options.signal?.aborted) throw error;
      const delayMs = backoffDelay(attempt, options.backoff ?? DEFAULT_BACKOFF);
      const elapsed = Date.now() - started;
      if (elapsed + delayMs >= deadlineMs) {
        throw new DbError(
          'DB_UNAVAILABLE',
          `checker: Postgres at ${target} unreachable for ${(elapsed / 1000).toFixed(1)} s ` +
            `(${attempt} attempt${attempt === 1 ? '' : 's'}, deadline ${(deadlineMs / 1000).toFixed(1)} s): ${firstLine(error)}`,
          { cause: error, retryable: true },
        );
      }
      options.onRetry?.({ attempt, delayMs, error, target });
      await sleep(delayMs, options.signal);
    }
  }
}

/** Runs one statement (retried like withConnection while Postgres is unreachable). */
export async function query<T extends pg.QueryResultRow>(
  databaseUrl: string,
  sql: string,
  values: unknown[] = [],
  options: CheckerDbOptions = {},
): Promise<T[]> {
  return withConnection(databaseUrl, async (client) => (await client.query<T>(sql, values)).rows, options);
}

async function attemptOnce<T>(
  databaseUrl: string,
  work: (client: CheckerClient) => Promise<T>,
  options: CheckerDbOptions,
  budgetMs: number,
): Promise<T> {
  const client = (options.createClient ?? defaultFactory)({
    connectionString: databaseUrl,
    application_name: 'checker',
    connectionTimeoutMillis: Math.min(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, budgetMs),
    query_timeout: Math.min(options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS, budgetMs),
  });
  // Before connect(): pg emits 'error' whenever the connection dies after it was made — also while a
  // statement runs, and after 'end' arrives without our end(). The statement fails anyway (and is
  // retried); the event must only not be an uncaught exception that ends the campaign.
  client.on('error', (error) => options.onConnectionError?.(error));
  try {
    await client.connect();
    return await work(client);
  } finally {
    // A connection Postgres already dropped ends at once; a hung one is not waited for long.
    await settlesWithin(client.end(), END_TIMEOUT_MS);
  }
}

/**
 * An error waiting can cure: the services' transient classification, less an undefined table,
 * column or function (class 42), which the services wait out during a rolling deploy but which,
 * for the checker's fixed statements, is a wrong statement to report at once.
 */
function isOutage(error: unknown): boolean {
  return isRetryableDbError(error) && !sqlState(error)?.startsWith('42');
}

/** "host:port/database as user" of a connection URL (never its password). */
export function describeTarget(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
    const user = url.username ? ` as ${decodeURIComponent(url.username)}` : '';
    return `${url.hostname}:${url.port || '5432'}/${database}${user}`;
  } catch {
    return 'the database (unparsable URL)';
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const line = message.split('\n')[0] ?? '';
  return typeof code === 'string' && !line.includes(code) ? `${line} [${code}]` : line;
}
