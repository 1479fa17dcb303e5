import { ServiceError } from '@kafka-poc/resilience';

/** Postgres error classes/codes after which the same work can succeed later (connection loss, restarts, contention). */
const RETRYABLE_SQLSTATE_PREFIXES = ['08', '53', '57P', '40'];
const RETRYABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const RETRYABLE_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
];

export type DbErrorCode = 'DB_UNAVAILABLE' | 'DB_CONFLICT' | 'DB_QUERY_FAILED' | 'DB_MIGRATION_FAILED';

/** A database failure with a code, its cause, and whether retrying the same work can help. */
export class DbError extends ServiceError<DbErrorCode> {}

/** True when an error from pg (or a wrapped one) is transient: the DB is down, restarting or contended. */
export function isRetryableDbError(error: unknown): boolean {
  if (error instanceof DbError) return error.retryable;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (RETRYABLE_NODE_CODES.has(code)) return true;
    if (code.length === 5 && RETRYABLE_SQLSTATE_PREFIXES.some((p) => code.startsWith(p))) return true;
  }
  if (RETRYABLE_MESSAGES.some((m) => error.message.includes(m))) return true;
  // AggregateError from net.connect to several addresses, or a wrapped cause.
  if (error instanceof AggregateError && error.errors.some(isRetryableDbError)) return true;
  return error.cause !== undefined && error.cause !== error && isRetryableDbError(error.cause);
}

/** Wraps any error thrown by a query into a DbError, keeping the cause. */
export function toDbError(error: unknown, what: string): DbError {
  if (error instanceof DbError) return error;
  const retryable = isRetryableDbError(error);
  const code: DbErrorCode = retryable ? 'DB_UNAVAILABLE' : 'DB_QUERY_FAILED';
  const reason = error instanceof Error ? error.message : String(error);
  return new DbError(code, `${what}: ${reason}`, { cause: error, retryable });
}
