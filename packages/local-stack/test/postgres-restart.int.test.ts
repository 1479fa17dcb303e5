import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../src/index.ts';
import { tempDir } from './temp-dir.ts';

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('keeps data across stop/start (twice) and creates databases', async () => {
    const dir = await tempDir('pg-restart');
    cleanup.push(dir.remove);
    const server: PostgresServer = await startPostgres({ dataDir: dir.path, port: 0, fsync: false });
    cleanup.push(() => server.stop());
    await query(server.databaseUrl, 'create table kept (id int primary key)');
    await query(server.databaseUrl, 'insert into kept values (1), (2)');

    for (let round = 0; round < 2; round++) {
      await server.stop();
      expect(server.pid).toBeUndefined();
      await expect(query(server.databaseUrl, 'select 1')).rejects.toThrow();
      await server.start();
      expect(server.pid).toBeGreaterThan(0);
    }
    const rows = await query(server.databaseUrl, 'select count(*)::int as n from kept');
    expect(rows.rows[0]).toEqual({ n: 2 });

    const other = await server.createDatabase('second_db');
    expect(other).toMatch(/\/second_db$/);
    expect((await query(other, 'select current_database() as db')).rows[0]).toEqual({ db: 'second_db' });
  });
});
