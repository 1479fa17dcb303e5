import { describe, expect, it } from 'vitest';
import { DbError, isRetryableDbError, toDbError } from './errors.ts';

function pgError(code: string, message = 'boom'): Error {
  return Object.assign(new Error(message), { code });
}

describe('isRetryableDbError', () => {
  it('treats connection loss, shutdown and contention as transient', () => {
    for (const code of ['ECONNREFUSED', '08006', '57P01', '57P03', '40001', '40P01', '53300']) {
      expect(isRetryableDbError(pgError(code)), code).toBe(true);
    }
    expect(isRetryableDbError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('treats constraint and syntax errors as permanent', () => {
    for (const code of ['23505', '23514', '42601', '22P02']) {
      expect(isRetryableDbError(pgError(code)), code).toBe(false);
    }
  });

  it('looks through causes and aggregate errors', () => {
    expect(isRetryableDbError(new Error('outer', { cause: pgError('ECONNREFUSED') }))).toBe(true);
    expect(isRetryableDbError(new AggregateError([pgError('ECONNREFUSED')]))).toBe(true);
  });
});

describe('toDbError', () => {
  it('keeps the cause and classifies', () => {
    const cause = pgError('57P01');
    const error = toDbError(cause, 'insert order');
    expect(error).toBeInstanceOf(DbError);
    expect(error.code).toBe('DB_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(toDbError(pgError('23505'), 'x').retryable).toBe(false);
  });
});
