import { createDatabase, createPool, isRetryableDbError, type Pool, withTransaction } from '@kafka-poc/db';
import { BlackholeProxy, createTestDatabase } from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A link to Postgres that turns into a black hole (a frozen middlebox, a partition): the server never
// sees the statement, so its statement_timeout cannot fire. Found by the chaos campaign: a consumer
// held its partitions until the link healed. The pool's client-side timeout bounds the wait, the
// error is one the consumers retry, and the dead connection never comes back out of the pool.
const STATEMENT_TIMEOUT_MS = 500;

let proxy: BlackholeProxy;
let pool: Pool;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase('query_timeout');
  proxy = await BlackholeProxy.start(databaseUrl);
  pool = createPool(
    {
      url: proxy.url(databaseUrl),
      max: 2,
      connectionTimeoutMs: 5_000,
      statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      applicationName: 'query-timeout-test',
    },
    () => undefined,
  );
});

afterAll(async () => {
  await pool?.end().catch(() => undefined);
  await proxy?.stop();
});

describe('a query over a black-holed link', () => {
  it('fails as retryable in a transaction, and the next transaction gets a working connection', async () => {
    await withTransaction(pool, (client) => client.query('SELECT 1'));
    // Open connections go silent; new ones carry data.
    proxy.cut();
    proxy.heal();

    const failure = await withTransaction(pool, (client) => client.query('SELECT 1')).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(isRetryableDbError(failure)).toBe(true);
    expect((failure as Error).message).toMatch(/Query read timeout/);

    // A new connection (opened after the black hole swallowed the old ones) carries data again.
    const { rows } = await withTransaction(pool, (client) => client.query<{ n: number }>('SELECT 2 AS n'));
    expect(rows[0]?.n).toBe(2);
  });

  it('through drizzle: a timed-out connection is dropped, not handed out again, and no client leaks', async () => {
    const db = createDatabase(pool);
    await db.execute('SELECT 1');
    // Open connections go silent; new ones carry data.
    proxy.cut();
    proxy.heal();

    const failure = await db.transaction((tx) => tx.execute('SELECT 1')).catch((e: unknown) => e);
    expect(isRetryableDbError(failure)).toBe(true);

    // drizzle's own transaction() leaked the client whose BEGIN timed out (createDatabase's fix):
    // every client the pool holds is back in it.
    expect(pool.totalCount).toBe(pool.idleCount);
    // Every connection that was open is gone; the pool opens fresh ones that work.
    for (let i = 0; i < 3; i++) {
      const result = await db.transaction((tx) => tx.execute('SELECT 3 AS n'));
      expect(result.rows[0]).toEqual({ n: 3 });
    }
    expect(pool.totalCount).toBe(pool.idleCount);
  });
});
