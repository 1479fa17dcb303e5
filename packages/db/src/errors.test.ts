import { describe, expect, it } from 'vitest';
import {
  DbError,
  isDataRejection,
  isRetryableDbError,
  isValueRejection,
  sqlState,
  toDbError,
} from './errors.ts';

function pgError(code: string, message = 'boom'): Error {
  return Object.assign(new Error(message), { code });
}

/** What drizzle does with a failed query: its own error, the pg error as the cause. */
function drizzleWrapped(code: string): Error {
  return new Error('Failed query: select 1', { cause: pgError(code) });
}

describe('isRetryableDbError', () => {
  it('treats connection loss, shutdown and contention as transient', () => {
    for (const code of ['ECONNREFUSED', '08006', '57P01', '57P03', '40001', '40P01', '53300']) {
      expect(isRetryableDbError(pgError(code)), code).toBe(true);
    }
    expect(isRetryableDbError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('treats timeouts, I/O errors and a schema mid-deploy as transient', () => {
    const codes = {
      '57014': 'canceling statement due to statement timeout',
      '55P03': 'canceling statement due to lock timeout',
      '58030': 'could not read block',
      '25P03': 'terminating connection due to idle-in-transaction timeout',
      '25006': 'cannot execute INSERT in a read-only transaction',
      '42P01': 'relation "reservations" does not exist',
      '42703': 'column "reason_code" does not exist',
      '53100': 'could not extend file: No space left on device',
      XX001: 'invalid page in block',
    };
    for (const [code, message] of Object.entries(codes)) {
      expect(isRetryableDbError(pgError(code, message)), code).toBe(true);
      expect(isRetryableDbError(drizzleWrapped(code)), `${code} wrapped`).toBe(true);
    }
  });

  it('treats pool exhaustion as transient', () => {
    expect(isRetryableDbError(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('treats constraint, data and syntax errors as not transient', () => {
    for (const code of ['23505', '23514', '42601', '22P02', '0A000']) {
      expect(isRetryableDbError(pgError(code)), code).toBe(false);
    }
  });

  it('looks through causes and aggregate errors', () => {
    expect(isRetryableDbError(new Error('outer', { cause: pgError('ECONNREFUSED') }))).toBe(true);
    expect(isRetryableDbError(new AggregateError([pgError('ECONNREFUSED')]))).toBe(true);
  });
});

describe('data rejections', () => {
  it('are class 22 and 23, looked up through wrappers', () => {
    for (const code of ['22P02', '22001', '22003', '23505', '23503', '23502', '23514']) {
      expect(isDataRejection(drizzleWrapped(code)), code).toBe(true);
    }
    for (const code of ['57014', '40P01', '42P01', '42601']) {
      expect(isDataRejection(drizzleWrapped(code)), code).toBe(false);
    }
    expect(isDataRejection(new TypeError('x is undefined'))).toBe(false);
  });

  it('narrow to values and checks for isValueRejection', () => {
    for (const code of ['22P02', '22001', '23514']) expect(isValueRejection(pgError(code)), code).toBe(true);
    for (const code of ['23505', '23503', '23502', '57014']) {
      expect(isValueRejection(pgError(code)), code).toBe(false);
    }
  });

  it('find the SQLSTATE under a DbError', () => {
    const wrapped = toDbError(drizzleWrapped('22P02'), 'insert');
    expect(sqlState(wrapped)).toBe('22P02');
    expect(isValueRejection(wrapped)).toBe(true);
    expect(sqlState(new Error('no code'))).toBeUndefined();
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
    expect(toDbError(pgError('57014'), 'x').retryable).toBe(true);
  });
});
