import { createTestDatabase, waitFor } from '@kafka-poc/testing';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RelayLock, RelayLockLostError } from '../src/relay-lock.ts';
import { relayTiming } from '../src/relay-timing.ts';

let databaseUrl: string;
let admin: pg.Client;
const locks: RelayLock[] = [];

beforeEach(async () => {
  databaseUrl = await createTestDatabase('relay_lock');
  admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
});

afterEach(async () => {
  for (const lock of locks.splice(0)) await lock.release();
  await admin.end();
});

function newLock(lost: string[]): RelayLock {
  const lock = new RelayLock({
    url: databaseUrl,
    channel: 'relay_lock_test',
    lockKey: 'relay-lock-test',
    timing: relayTiming(6000),
    onNotify: () => {},
    onLost: (reason) => lost.push(reason),
  });
  locks.push(lock);
  return lock;
}

describe('RelayLock.query (the relay batches on the lock session)', () => {
  it('runs statements, and an SQL error leaves the session and its lock in place', async () => {
    const lost: string[] = [];
    const lock = newLock(lost);
    expect(await lock.acquire()).toBe(true);
    expect(await lock.query<{ n: number }>({ text: 'SELECT 1 AS n' })).toEqual([{ n: 1 }]);
    const [settings] = await lock.query<{ value: string }>({
      text: `SELECT current_setting('synchronous_commit') AS value`,
    });
    expect(settings?.value).toBe('off');
    await expect(lock.query({ text: 'SELECT * FROM no_such_table' })).rejects.toBeInstanceOf(
      pg.DatabaseError,
    );
    expect(lost).toEqual([]);
    expect(lock.isFresh()).toBe(true);
  });

  it('a session ended while a statement runs on it is a lost lock, reported once', async () => {
    const lost: string[] = [];
    const lock = newLock(lost);
    expect(await lock.acquire()).toBe(true);
    const pid = lock.backendPid;
    // Its outcome is taken at once: the rejection may come before the assertion below is reached.
    const outcome = lock.query({ text: 'SELECT pg_sleep(10)' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitFor(
      async () =>
        (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = $2', [pid, 'active']))
          .rowCount === 1,
      { message: 'statement running on the lock session' },
    );
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    // The FATAL error answers the statement in flight: it must not pass as an ordinary SQL error.
    expect(await outcome).toBeInstanceOf(RelayLockLostError);
    expect(lost).toEqual(['connection-lost']);
    expect(lock.held).toBe(false);
    expect(lock.isFresh()).toBe(false);
  });
});
