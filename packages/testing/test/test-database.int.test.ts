import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../src/index.ts';

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('createTestDatabase', () => {
  it('gives each test its own empty database on the shared server', async () => {
    const [a, b] = await Promise.all([createTestDatabase('iso'), createTestDatabase('iso')]);
    expect(a).not.toBe(b);
    await query(a, 'create table marker (id int primary key)');
    await query(a, 'insert into marker values (1)');
    const inB = await query(b, "select count(*)::int as n from pg_tables where tablename = 'marker'");
    expect(inB.rows[0]).toEqual({ n: 0 });
    const inA = await query(a, 'select count(*)::int as n from marker');
    expect(inA.rows[0]).toEqual({ n: 1 });
  });
});
