import { createPool, type Pool } from '@kafka-poc/db';
import { createProducer, type KafkaProducer } from '@kafka-poc/kafka';
import { sleep } from '@kafka-poc/resilience';
import {
  createTestDatabase,
  createTestTopic,
  testKafkaBrokers,
  uniqueName,
  waitFor,
} from '@kafka-poc/testing';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inboxRetentionPurger, OutboxRelay, type PurgeResult } from '../src/index.ts';
import { createOutboxTable, insertRows, unsentCount } from './outbox-fixture.ts';

// The retention purges against a real Postgres: sent outbox rows and processed inbox rows older than
// the retention go, in DELETEs of at most `batchSize` rows, on a loop of their own. A purge that has
// to wait (here: for a lock the test holds) never holds up publishing, and gives up at its
// lock_timeout instead of queueing forever.

const table = 'purge_outbox';
const HOUR = 3_600_000;
/** The trigger below makes every purge DELETE wait for this advisory lock while the test holds it. */
const PURGE_GATE = 4242;
let databaseUrl: string;
let pool: Pool;
let producer: KafkaProducer;
let gate: pg.Client;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  databaseUrl = await createTestDatabase('purge');
  pool = createPool(
    {
      url: databaseUrl,
      max: 5,
      connectionTimeoutMs: 2000,
      statementTimeoutMs: 10_000,
      applicationName: 'purge',
    },
    () => undefined,
  );
  producer = createProducer({ brokers: testKafkaBrokers(), clientId: uniqueName('purge') });
  await producer.start();
  gate = new pg.Client({ connectionString: databaseUrl });
  await gate.connect();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await gate.end();
  await producer.stop();
  await pool.end();
});

/**
 * Every DELETE on `target` first takes the gate lock (so the test can hold a purge mid-statement),
 * and records how many rows it deleted (so the test sees each statement's size).
 */
async function instrumentDeletes(target: string): Promise<void> {
  await pool.query('CREATE TABLE purge_log (at timestamptz NOT NULL DEFAULT clock_timestamp(), deleted int)');
  await pool.query(`CREATE FUNCTION gate_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_advisory_xact_lock(${PURGE_GATE}); RETURN NULL; END $$`);
  await pool.query(`CREATE FUNCTION log_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO purge_log (deleted) SELECT count(*) FROM gone; RETURN NULL; END $$`);
  await pool.query(
    `CREATE TRIGGER gate BEFORE DELETE ON ${target} FOR EACH STATEMENT EXECUTE FUNCTION gate_delete()`,
  );
  await pool.query(`CREATE TRIGGER log AFTER DELETE ON ${target} REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION log_delete()`);
}

async function deletesSoFar(): Promise<number[]> {
  const { rows } = await pool.query<{ deleted: number }>('SELECT deleted FROM purge_log ORDER BY at');
  return rows.map((r) => r.deleted);
}

/** The purge's DELETE, if one is waiting for a lock right now. */
async function purgeWaiting(): Promise<boolean> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM ${table}%'`,
  );
  return (rows[0]?.n ?? 0) > 0;
}

async function insertSentRows(count: number, sentAgoMs: number): Promise<void> {
  await pool.query(
    `INSERT INTO ${table} (topic, key, value, sent_at)
     SELECT 'gone', 'k', '{}', now() - ($2::bigint * interval '1 millisecond') FROM generate_series(1, $1)`,
    [count, sentAgoMs],
  );
}

function startRelay(options: { lockTimeoutMs: number; purged: PurgeResult[]; errors: unknown[] }) {
  const relay = new OutboxRelay({
    pool,
    databaseUrl,
    producer,
    table,
    takeoverMs: 5000,
    pollIntervalMs: 200,
    retentionMs: HOUR,
    purge: {
      intervalMs: 200,
      batchSize: 1000,
      lockTimeoutMs: options.lockTimeoutMs,
      statementTimeoutMs: 30_000,
    },
    hooks: {
      onPurged: (result) => options.purged.push(result),
      onPurgeError: (error) => options.errors.push(error),
    },
  });
  relay.start();
  cleanups.push(() => relay.stop());
  return relay;
}

describe('retention purge', () => {
  it('deletes old sent rows in bounded batches, and publishing goes on while a purge waits', async () => {
    await createOutboxTable(pool, table);
    await instrumentDeletes(table);
    await insertSentRows(4500, 2 * HOUR);
    await insertSentRows(50, HOUR / 2); // sent, but within the retention: kept
    const topic = await createTestTopic('purge', { partitions: 1 });

    await gate.query('SELECT pg_advisory_lock($1)', [PURGE_GATE]);
    const purged: PurgeResult[] = [];
    const relay = startRelay({ lockTimeoutMs: 60_000, purged, errors: [] });
    await waitFor(() => relay.state === 'active', { message: 'relay active' });
    await waitFor(purgeWaiting, { timeoutMs: 10_000, message: 'the purge waiting for the held lock' });

    // Publishing while the purge is stuck: every new row goes out and is marked sent.
    for (let i = 0; i < 20; i++)
      await insertRows(pool, table, topic, [i * 5, i * 5 + 1, i * 5 + 2, i * 5 + 3, i * 5 + 4]);
    await waitFor(() => unsentCount(pool, table), {
      until: (n) => n === 0,
      timeoutMs: 10_000,
      message: 'new rows published while the purge waits',
    });
    expect(await purgeWaiting()).toBe(true);
    expect(await deletesSoFar()).toEqual([]);

    await gate.query('SELECT pg_advisory_unlock($1)', [PURGE_GATE]);
    await waitFor(() => purged.reduce((sum, r) => sum + r.rows, 0), {
      until: (n) => n === 4500,
      timeoutMs: 20_000,
      message: 'every old sent row purged',
    });
    const deletes = await deletesSoFar();
    expect(deletes.every((n) => n <= 1000)).toBe(true);
    expect(deletes.reduce((a, b) => a + b, 0)).toBe(4500);
    expect(deletes.filter((n) => n === 1000)).toHaveLength(4);
    const { rows } = await pool.query<{ recent: number; published: number }>(
      `SELECT count(*) FILTER (WHERE topic = 'gone')::int AS recent, count(*) FILTER (WHERE topic <> 'gone')::int AS published
       FROM ${table}`,
    );
    expect(rows[0]).toEqual({ recent: 50, published: 100 });
  });

  it('a purge that would wait longer than its lock_timeout gives up, and the next run finishes', async () => {
    await createOutboxTable(pool, table);
    await instrumentDeletes(table);
    await insertSentRows(1500, 2 * HOUR);
    await gate.query('SELECT pg_advisory_lock($1)', [PURGE_GATE]);
    const purged: PurgeResult[] = [];
    const errors: unknown[] = [];
    startRelay({ lockTimeoutMs: 300, purged, errors });
    await waitFor(() => errors.length >= 2, { timeoutMs: 10_000, message: 'purge runs giving up' });
    expect(errors.every((e) => (e as { code?: string }).code === '55P03')).toBe(true); // lock_not_available

    await gate.query('SELECT pg_advisory_unlock($1)', [PURGE_GATE]);
    await waitFor(() => purged.reduce((sum, r) => sum + r.rows, 0), {
      until: (n) => n === 1500,
      timeoutMs: 10_000,
      message: 'purged once the lock is free',
    });
    expect(await deletesSoFar()).toEqual([1000, 500]);
  });

  it('the inbox janitor deletes processed rows older than the retention, a batch at a time', async () => {
    await pool.query(`CREATE TABLE test_inbox (event_id uuid PRIMARY KEY, event_type text NOT NULL, topic text NOT NULL,
      partition int NOT NULL, "offset" bigint NOT NULL, processed_at timestamptz NOT NULL DEFAULT now())`);
    await pool.query('CREATE INDEX test_inbox_processed_idx ON test_inbox (processed_at)');
    await pool.query(`INSERT INTO test_inbox (event_id, event_type, topic, partition, "offset", processed_at)
      SELECT gen_random_uuid(), 't', 'x', 0, n, now() - CASE WHEN n <= 2300 THEN interval '20 days' ELSE interval '1 day' END
      FROM generate_series(1, 2400) AS n`);
    const janitor = inboxRetentionPurger({
      pool,
      table: 'test_inbox',
      retentionMs: 15 * 24 * HOUR,
      batchSize: 1000,
    });
    const result = await janitor.runOnce();
    expect(result).toMatchObject({ rows: 2300, batches: 3 });
    const { rows } = await pool.query<{ n: number; oldest: number }>(
      `SELECT count(*)::int AS n, min("offset")::int AS oldest FROM test_inbox`,
    );
    expect(rows[0]).toEqual({ n: 100, oldest: 2301 });
    expect((await janitor.runOnce()).rows).toBe(0);
  });

  it('keeps up with a sustained load: rows expiring at 6,000/s never pile up beyond a few seconds of them, with a 10-minute interval', async () => {
    // The ceiling of the system: ~3,000 orders/s make ~6,000 inbox rows/s. Every row is written
    // already past the retention, as 15 days after such a load each row expires as it was written.
    const RATE = 6000;
    const DURATION_MS = 16_000;
    await pool.query(`CREATE TABLE load_inbox (event_id uuid PRIMARY KEY, event_type text NOT NULL, topic text NOT NULL,
      partition int NOT NULL, "offset" bigint NOT NULL, processed_at timestamptz NOT NULL DEFAULT now())`);
    await pool.query('CREATE INDEX load_inbox_processed_idx ON load_inbox (processed_at)');
    const janitor = inboxRetentionPurger({ pool, table: 'load_inbox', retentionMs: 15 * 24 * HOUR });
    cleanups.push(() => janitor.stop());

    let inserted = 0;
    let writing = true;
    const started = performance.now();
    const writer = (async () => {
      const client = await pool.connect();
      try {
        while (performance.now() - started < DURATION_MS) {
          // Batched inserts on a schedule: whatever is due by now, so the rate holds on average.
          const due = Math.floor((RATE * (performance.now() - started)) / 1000) - inserted;
          if (due > 0) {
            await client.query(
              `INSERT INTO load_inbox (event_id, event_type, topic, partition, "offset", processed_at)
               SELECT gen_random_uuid(), 't', 'x', 0, n, now() - interval '16 days'
               FROM generate_series($1::bigint, $2::bigint) AS n`,
              [inserted + 1, inserted + due],
            );
            inserted += due;
          }
          await sleep(50);
        }
      } finally {
        client.release();
        writing = false;
      }
    })();

    // The janitor starts under the load (its first run finds rows) and then has to keep up.
    await sleep(1000);
    janitor.start();
    const sizes: number[] = [];
    while (writing) {
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM load_inbox');
      sizes.push(rows[0]?.n ?? 0);
      await sleep(250);
    }
    await writer;
    const elapsedS = (performance.now() - started) / 1000;

    expect(inserted / elapsedS).toBeGreaterThanOrEqual(RATE * 0.95); // the load held
    expect(sizes.length).toBeGreaterThan(30);
    // Bounded: never more than 3 s of the load waiting (without the janitor keeping up: ~96,000).
    expect(Math.max(...sizes), `table sizes ${sizes.join(' ')}`).toBeLessThanOrEqual(3 * RATE);
  }, 60_000);
});
