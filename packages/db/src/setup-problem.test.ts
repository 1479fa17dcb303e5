import { describe, expect, it } from 'vitest';
import { DbError } from './errors.ts';
import { asNotSetUp, connectionTarget, isDatabaseNotSetUp, notSetUpReason } from './setup-problem.ts';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
const target = connectionTarget('postgres://order_service:x@127.0.0.1:5432/appdb', 'order_service');

describe('notSetUpReason', () => {
  it('names the role, database or schema that is missing, and npm run db:setup, in one line', () => {
    const cases: [string, string, string][] = [
      ['28000', 'role "order_service" does not exist', 'role "order_service" does not exist [28000]'],
      [
        '28P01',
        'password authentication failed for user "order_service"',
        'role "order_service" cannot log in',
      ],
      ['3D000', 'database "appdb" does not exist', 'database "appdb" does not exist'],
      ['3F000', 'no schema has been selected to create in', 'schema "order_service" does not exist'],
      ['42501', 'permission denied for database appdb', 'role "order_service" lacks a privilege'],
    ];
    for (const [code, message, expected] of cases) {
      const reason = notSetUpReason(pgError(code, message), target);
      expect(reason).toContain(expected);
      expect(reason).toContain('npm run db:setup');
      expect(reason).not.toContain('\n');
    }
  });

  it('leaves transient and other errors alone: an unreachable server is waited for', () => {
    expect(
      notSetUpReason(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), target),
    ).toBe(undefined);
    expect(notSetUpReason(pgError('57P03', 'the database system is starting up'), target)).toBe(undefined);
    expect(notSetUpReason(pgError('42601', 'syntax error'), target)).toBe(undefined);
    const plain = pgError('08006', 'connection failure');
    expect(asNotSetUp(plain, target)).toBe(plain);
  });

  it("wraps as DB_NOT_SET_UP, keeping the cause; the migrations' DB_SCHEMA_MISSING counts too", () => {
    const cause = pgError('28000', 'role "x" does not exist');
    const wrapped = asNotSetUp(cause, target);
    expect(isDatabaseNotSetUp(wrapped)).toBe(true);
    expect((wrapped as DbError).cause).toBe(cause);
    expect(asNotSetUp(wrapped, target)).toBe(wrapped);
    expect(isDatabaseNotSetUp(new DbError('DB_SCHEMA_MISSING', 'x', { retryable: false }))).toBe(true);
    expect(isDatabaseNotSetUp(new DbError('DB_QUERY_FAILED', 'x', { retryable: false }))).toBe(false);
  });

  it('reads role and database from the URL, decoded', () => {
    expect(connectionTarget('postgres://a%40b:x@h/my%20db')).toEqual({
      role: 'a@b',
      database: 'my db',
      schema: undefined,
    });
    expect(connectionTarget(undefined)).toEqual({ role: undefined, database: undefined, schema: undefined });
  });
});
