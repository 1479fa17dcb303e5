import { ServiceError } from '@kafka-poc/resilience';

/**
 * SQLSTATE classes and codes after which the same work can succeed later: the environment failed,
 * not the statement. A wrong "transient" costs retries (visible in metrics). Codes left out are not
 * thereby poison: consumers dead-letter only on positive evidence (packages/outbox, inbox-poison.ts).
 * Left out on purpose: 28xxx (bad credentials) and 3D000 (no such database), so a service with a
 * wrong DATABASE_URL stops at startup instead of waiting forever.
 */
const TRANSIENT_SQLSTATE_CLASSES = new Set([
  '08', // connection exception
  '40', // transaction rollback: serialization_failure 40001, deadlock_detected 40P01, …
  '53', // insufficient resources: disk full, out of memory, too_many_connections
  '57', // operator intervention: admin/crash shutdown 57P0x, query_canceled 57014 (statement_timeout)
  '58', // system error: io_error 58030, …
  'XX', // internal error (data_corrupted, index_corrupted): not the statement's fault
]);
const TRANSIENT_SQLSTATES = new Set([
  '55P03', // lock_not_available (lock_timeout, NOWAIT)
  '55006', // object_in_use
  '25P03', // idle_in_transaction_session_timeout
  '25P04', // transaction_timeout
  '25006', // read_only_sql_transaction: writing to a standby during a failover
  '42P01', // undefined_table   } old code and a new schema (or the reverse)
  '42703', // undefined_column  } side by side during a rolling deploy
  '42883', // undefined_function
]);
const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const TRANSIENT_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect', // pool exhausted
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
  'Query read timeout',
  'Client was closed and is not queryable', // the connection ended after a client-side timeout
];

export type DbErrorCode =
  | 'DB_UNAVAILABLE'
  | 'DB_CONFLICT'
  | 'DB_QUERY_FAILED'
  | 'DB_MIGRATION_FAILED'
  | 'DB_SCHEMA_MISSING'
  | 'DB_NOT_SET_UP'
  | 'DB_SETUP_FAILED';

/** A database failure with a code, its cause, and whether retrying the same work can help. */
export class DbError extends ServiceError<DbErrorCode> {}

/** The first SQLSTATE (five characters, e.g. '57014') in the error or its causes, if any. */
export function sqlState(error: unknown): string | undefined {
  for (const e of errorChain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * True when an error from pg (or a wrapped one) is transient: the DB is down, restarting, contended,
 * timing out, or its schema is mid-deploy. Such work is retried, never given up on.
 */
export function isRetryableDbError(error: unknown): boolean {
  if (error instanceof DbError) return error.retryable;
  return errorChain(error).some(isTransientItself);
}

/**
 * True when the database refused the *data* of a statement: a data exception (class 22: a value out
 * of range, malformed, too long) or an integrity violation (class 23: unique, foreign key, not null,
 * check). Such an error can be caused by one event alone; whether it is (and so whether the event is
 * poison) only shows when the events beside it succeed.
 */
export function isDataRejection(error: unknown): boolean {
  if (isRetryableDbError(error)) return false;
  const state = sqlState(error);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23'));
}

/**
 * The narrower part of isDataRejection that does not depend on other rows or on timing: a value the
 * database can never accept (class 22) or a CHECK it violates (23514). Unique, foreign-key and
 * not-null violations are left out: a race, an event arriving before its parent, or a column added
 * by a deploy cause them too.
 */
export function isValueRejection(error: unknown): boolean {
  if (!isDataRejection(error)) return false;
  const state = sqlState(error) ?? '';
  return state.startsWith('22') || state === '23514';
}

/** Wraps any error thrown by a query into a DbError, keeping the cause. */
export function toDbError(error: unknown, what: string): DbError {
  if (error instanceof DbError) return error;
  const retryable = isRetryableDbError(error);
  const code: DbErrorCode = retryable ? 'DB_UNAVAILABLE' : 'DB_QUERY_FAILED';
  const reason = error instanceof Error ? error.message : String(error);
  return new DbError(code, `${what}: ${reason}`, { cause: error, retryable });
}

function isTransientItself(error: Error): boolean {
  if (error instanceof DbError) return error.retryable;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TRANSIENT_NODE_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) {
      return TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2));
    }
  }
  return TRANSIENT_MESSAGES.some((m) => error.message.includes(m));
}

/** The error, its causes and (for AggregateError, e.g. net.connect to several addresses) its members. */
function errorChain(error: unknown, depth = 0): Error[] {
  if (!(error instanceof Error) || depth > 8) return [];
  const nested: unknown[] = error instanceof AggregateError ? [...error.errors] : [];
  if (error.cause !== error) nested.push(error.cause);
  return [error, ...nested.flatMap((inner) => errorChain(inner, depth + 1))];
}
