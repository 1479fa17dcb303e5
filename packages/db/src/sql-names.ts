import pg from 'pg';
import { DbError } from './errors.ts';

/** Role and schema names we create: lower case letters, digits and `_`, so quoting never hides surprises. */
const SAFE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** `"name"` for SQL, after checking it is one of our plain names. */
export function quoteIdentifier(name: string): string {
  if (!SAFE_NAME.test(name)) {
    throw new DbError('DB_QUERY_FAILED', `"${name}" is not a plain SQL name (${SAFE_NAME})`, {
      retryable: false,
    });
  }
  return `"${name}"`;
}

/** A string literal for SQL text that cannot take parameters (DDL such as PASSWORD '…'). */
export function quoteLiteral(value: string): string {
  return pg.escapeLiteral(value);
}
