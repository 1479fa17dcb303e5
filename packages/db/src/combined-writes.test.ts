import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { combineWrites } from './combined-writes.ts';

const dialect = new PgDialect();

describe('combineWrites', () => {
  it('joins writes as CTEs of one statement, parameters in order', () => {
    const statement = combineWrites([
      sql`UPDATE a SET x = ${1}`,
      undefined,
      sql`INSERT INTO b VALUES (${'two'})`,
      sql`DELETE FROM c WHERE id = ${3}`,
    ]);
    expect(statement).toBeDefined();
    const query = dialect.sqlToQuery(statement as NonNullable<typeof statement>);
    expect(query.sql).toBe(
      'WITH w0 AS (UPDATE a SET x = $1), w1 AS (INSERT INTO b VALUES ($2)), w2 AS (DELETE FROM c WHERE id = $3) SELECT 1',
    );
    expect(query.params).toEqual([1, 'two', 3]);
  });

  it('passes a single write through unchanged, and nothing for none', () => {
    const only = sql`UPDATE a SET x = ${1}`;
    expect(combineWrites([undefined, only])).toBe(only);
    expect(combineWrites([undefined, undefined])).toBeUndefined();
    expect(combineWrites([])).toBeUndefined();
  });
});
