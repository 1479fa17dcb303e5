import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createPool, type Pool } from '@kafka-poc/db';
import { createAdmin, createProducer, type KafkaAdmin, type KafkaProducer } from '@kafka-poc/kafka';
import { sleep } from '@kafka-poc/resilience';
import {
  BlackholeProxy,
  createTestDatabase,
  createTestTopic,
  testKafkaBrokers,
  uniqueName,
  waitFor,
} from '@kafka-poc/testing';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboxRelay } from '../src/index.ts';
import {
  createOutboxTable,
  insertRows,
  keysOutOfOrder,
  type RelayEvent,
  RelayEventLog,
  readAll,
  unsentCount,
} from './outbox-fixture.ts';

// Fencing of the outbox relay against a real Postgres and broker. Two relays on one outbox: the one
// holding the advisory lock publishes. We take the lock away from it in three ways — its session is
// terminated (and the lock taken by someone else), its link is cut (bytes silently dropped), its
// process is frozen (SIGSTOP) — and check: it publishes no new batch once it lost the lock, a
// standby takes over within the bound, and every row reaches the topic at least once, in row order
// per key (re-published duplicates aside: the inboxes absorb them).

const TAKEOVER_MS = 3000;
const PARTITIONS = 3;
const KEYS = 7;
const table = 'fence_outbox';
const lockKey = `outbox-relay:${table}`;
let databaseUrl: string;
let pool: Pool;
let producer: KafkaProducer;
let admin: KafkaAdmin;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  databaseUrl = await createTestDatabase('fence');
  pool = createPool(
    {
      url: databaseUrl,
      max: 5,
      connectionTimeoutMs: 2000,
      statementTimeoutMs: 10_000,
      applicationName: 'fence',
    },
    () => undefined,
  );
  await createOutboxTable(pool, table);
  const connection = { brokers: testKafkaBrokers(), clientId: uniqueName('fence') };
  producer = createProducer(connection);
  await producer.start();
  admin = createAdmin(connection);
  await admin.start();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await producer.stop();
  await admin.stop();
  await pool.end();
});

function startRelay(
  name: string,
  log: RelayEventLog,
  options: { pool?: pg.Pool; databaseUrl?: string } = {},
): OutboxRelay {
  const relay = new OutboxRelay({
    pool: options.pool ?? pool,
    databaseUrl: options.databaseUrl ?? databaseUrl,
    producer: log.producer(name, producer),
    table,
    takeoverMs: TAKEOVER_MS,
    pollIntervalMs: 200,
    applicationName: name,
    hooks: log.hooks(name),
  });
  relay.start();
  cleanups.push(() => relay.stop());
  return relay;
}

/** Inserts three rows every 20 ms (keys k-0…k-6) until stopped; returns how many it wrote. */
function startWriter(topic: string): { stop: () => Promise<number> } {
  const writerPool = pool; // this test's pool: the next test's beforeEach replaces `pool`
  let n = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      await insertRows(writerPool, table, topic, [n, n + 1, n + 2], KEYS);
      n += 3;
      await sleep(20);
    }
  })();
  const stop = async () => {
    stopped = true;
    await done;
    return n;
  };
  // A test that fails midway stops its writer too (before its pool ends: cleanups run first).
  cleanups.push(stop);
  return { stop };
}

const sends = (events: RelayEvent[]) => events.filter((e) => e.kind === 'send');

async function expectEveryRowPublishedInKeyOrder(topic: string, written: number): Promise<void> {
  await waitFor(() => unsentCount(pool, table), {
    until: (n) => n === 0,
    timeoutMs: 30_000,
    message: 'every row marked sent',
  });
  const read = await readAll(admin, topic, PARTITIONS);
  expect(new Set(read.map((r) => r.n)).size).toBe(written);
  expect(Math.max(...read.map((r) => r.n))).toBe(written - 1);
  expect(keysOutOfOrder(read)).toEqual([]);
}

/**
 * Follows a lock session in pg_stat_activity until it is gone, and returns when the server last saw
 * it go idle (its last statement finished): the server ends it idle_session_timeout after that.
 */
async function idleSinceUntilGone(pid: number, timeoutMs: number): Promise<number> {
  const watcher = new pg.Client({ connectionString: databaseUrl });
  await watcher.connect();
  try {
    let idleSince = Number.NaN;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { rows } = await watcher.query<{ state: string; state_change: Date }>(
        'SELECT state, state_change FROM pg_stat_activity WHERE pid = $1',
        [pid],
      );
      const row = rows[0];
      if (!row) return idleSince;
      idleSince = row.state === 'idle' ? row.state_change.getTime() : Number.NaN;
      await sleep(20);
    }
    throw new Error(`lock session ${pid} still there after ${timeoutMs} ms`);
  } finally {
    await watcher.end();
  }
}

describe('OutboxRelay fencing', () => {
  it('stops publishing when its lock session is terminated, until it holds the lock again', async () => {
    const topic = await createTestTopic('fence-kill', { partitions: PARTITIONS });
    const log = new RelayEventLog();
    const a = startRelay('A', log);
    await waitFor(() => a.state === 'active', { message: 'A active' });
    const b = startRelay('B', log);
    await waitFor(() => b.state === 'standby', { message: 'B standby' });
    const writer = startWriter(topic);
    await waitFor(() => sends(log.of('A')).length >= 5, { timeoutMs: 15_000, message: 'A publishing' });

    // End A's lock session and hold the lock from a third session, so neither relay may publish.
    // The thief queues for the lock first (a blocking pg_advisory_lock) and only then is the holder
    // ended: Postgres grants a released lock to the queued waiter, and a try-lock conflicts with a
    // waiter, so a relay that reconnects at once cannot take the lock back in between.
    const thief = new pg.Client({ connectionString: databaseUrl });
    await thief.connect();
    cleanups.push(() => thief.end());
    const thiefPid = (await thief.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    // Whoever holds the lock now (A, unless a starved host already moved it to B) is the victim.
    const victim = a.state === 'active' ? 'A' : 'B';
    const takenAt = Date.now();
    let thiefHolds = false;
    const thiefLock = thief.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]).then(() => {
      thiefHolds = true;
    });
    thiefLock.catch(() => undefined); // awaited below; if the test fails first, the cleanup ends it
    const advisoryLocks = `SELECT pid, granted FROM pg_locks WHERE locktype = 'advisory'
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
    await waitFor(() => pool.query<{ pid: number; granted: boolean }>(advisoryLocks), {
      until: ({ rows }) => rows.some((r) => r.pid === thiefPid && !r.granted),
      intervalMs: 10,
      message: 'the test queued for the relay lock',
    });
    await waitFor(
      async () => {
        const { rows } = await pool.query<{ pid: number; granted: boolean }>(advisoryLocks);
        for (const { pid } of rows.filter((r) => r.granted && r.pid !== thiefPid)) {
          await pool.query('SELECT pg_terminate_backend($1, 5000)', [pid]);
        }
        return thiefHolds;
      },
      { timeoutMs: 15_000, intervalMs: 20, message: 'the test holds the relay lock' },
    );
    await thiefLock;
    await waitFor(() => log.of(victim).some((e) => e.kind === 'lost' && e.at >= takenAt), {
      message: 'the holder noticed the lost lock',
    });
    const sendsWhenTaken = log.events.filter((e) => e.kind === 'send').length;

    // Rows pile up for several standby retries (the writer adds ~150/s), and nobody publishes them.
    await waitFor(() => unsentCount(pool, table), {
      until: (n) => n >= 450,
      timeoutMs: 20_000,
      message: 'rows piling up while the lock is held elsewhere',
    });
    expect(log.events.filter((e) => e.kind === 'send').length).toBe(sendsWhenTaken);
    expect([a.state, b.state]).toEqual(['standby', 'standby']);

    const releasedAt = Date.now();
    await thief.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    await waitFor(() => a.state === 'active' || b.state === 'active', {
      timeoutMs: 4 * TAKEOVER_MS,
      message: 'a relay takes the lock again',
    });
    const written = await writer.stop();
    await expectEveryRowPublishedInKeyOrder(topic, written);

    expect(log.sendsWithoutLock('A')).toEqual([]);
    expect(log.sendsWithoutLock('B')).toEqual([]);
    expect(log.of(victim).find((e) => e.kind === 'lost' && e.at >= takenAt)).toMatchObject({
      reason: 'connection-lost',
    });
    // Whoever got the lock after the test released it took it over from another holder.
    const reacquired = log.events.filter((e) => e.kind === 'acquired' && e.at >= releasedAt);
    expect(reacquired[0]).toMatchObject({ takeover: true });
  }, 90_000);

  it('a holder whose link is cut stops publishing, and a standby takes over within the bound', async () => {
    const topic = await createTestTopic('fence-cut', { partitions: PARTITIONS });
    const proxy = await BlackholeProxy.start(databaseUrl);
    cleanups.push(() => proxy.stop());
    const cutUrl = proxy.url(databaseUrl);
    // Everything A says to Postgres goes through the proxy; the client-side timeouts keep the test
    // from waiting on TCP's own give-up time once the link is cut.
    const aPool = new pg.Pool({
      connectionString: cutUrl,
      max: 3,
      connectionTimeoutMillis: 2000,
      query_timeout: 5000,
    });
    aPool.on('error', () => undefined);
    cleanups.push(() => aPool.end());
    const log = new RelayEventLog();
    const a = startRelay('A', log, { pool: aPool, databaseUrl: cutUrl });
    await waitFor(() => a.state === 'active', { message: 'A active' });
    const b = startRelay('B', log);
    await waitFor(() => b.state === 'standby', { message: 'B standby' });
    const writer = startWriter(topic);
    await waitFor(() => sends(log.of('A')).length >= 5, { timeoutMs: 15_000, message: 'A publishing' });

    const holder = a.lockBackendPid;
    proxy.cut();
    const cutAt = Date.now();
    const idleSince = await idleSinceUntilGone(holder, 6 * TAKEOVER_MS);
    await waitFor(() => b.state === 'active', { timeoutMs: 6 * TAKEOVER_MS, message: 'B took over' });
    const acquired = log.of('B').find((e) => e.kind === 'acquired');
    expectTakeoverWithinBound('cut link', cutAt, idleSince, acquired, b);

    await waitFor(() => log.of('A').some((e) => e.kind === 'lost'), {
      timeoutMs: 2 * TAKEOVER_MS,
      message: 'A noticed it can no longer prove its lock',
    });
    await waitFor(() => sends(log.of('B')).length >= 3, { message: 'B publishing' });
    // Healed, A can reach Postgres again, but B holds the lock: A stays a standby.
    proxy.heal();
    const written = await writer.stop();
    await expectEveryRowPublishedInKeyOrder(topic, written);

    // At most the batch already under way when the link went; nothing after B held the lock.
    const aAfterCut = sends(log.of('A')).filter((e) => e.at >= cutAt);
    expect(aAfterCut.length).toBeLessThanOrEqual(1);
    expect(aAfterCut.filter((e) => e.at >= (acquired?.at ?? 0))).toEqual([]);
    expect(log.sendsWithoutLock('A')).toEqual([]);
    expect(log.sendsWithoutLock('B')).toEqual([]);
    expect(a.state).toBe('standby');
  }, 90_000);

  it('a frozen holder (SIGSTOP) is replaced within the bound and, woken, publishes no new batch', async () => {
    const topic = await createTestTopic('fence-freeze', { partitions: PARTITIONS });
    const child = startChildRelay('A');
    await waitFor(() => child.events.some((e) => e.kind === 'acquired'), {
      timeoutMs: 60_000, // a process to boot, connect and start a producer, on a possibly busy host
      message: 'child relay active',
    }).catch((error: Error) => {
      throw new Error(`${error.message}; child said: ${JSON.stringify(child.events)} ${child.stderr()}`);
    });
    const log = new RelayEventLog();
    const b = startRelay('B', log);
    await waitFor(() => b.state === 'standby', { message: 'B standby' });
    const writer = startWriter(topic);
    await waitFor(() => sends(child.events).length >= 5, { timeoutMs: 15_000, message: 'A publishing' });

    const holder = child.events.find((e) => e.kind === 'acquired');
    const pid = child.process.pid ?? 0;
    process.kill(pid, 'SIGSTOP');
    await waitFor(() => processState(pid) === 'T', { intervalMs: 5, message: 'A stopped' });
    const frozenAt = Date.now();
    const idleSince = await idleSinceUntilGone(
      holder?.kind === 'acquired' ? holder.backendPid : 0,
      6 * TAKEOVER_MS,
    );
    await waitFor(() => b.state === 'active', { timeoutMs: 6 * TAKEOVER_MS, message: 'B took over' });
    const acquired = log.of('B').find((e) => e.kind === 'acquired');
    expectTakeoverWithinBound('frozen holder', frozenAt, idleSince, acquired, b);
    await waitFor(() => sends(log.of('B')).length >= 3, { message: 'B publishing' });

    process.kill(pid, 'SIGCONT');
    await waitFor(() => child.events.some((e) => e.kind === 'lost' && e.at > frozenAt), {
      timeoutMs: 2 * TAKEOVER_MS,
      message: 'woken A finds out it lost the lock',
    });
    // Give the woken relay time to misbehave: B goes on publishing while A would have its chance.
    const bSends = sends(log.of('B')).length;
    await waitFor(() => sends(log.of('B')).length >= bSends + 10, { message: 'B keeps publishing' });
    const written = await writer.stop();
    await expectEveryRowPublishedInKeyOrder(topic, written);

    // A frozen process writes nothing: every line stamped after the freeze was written after SIGCONT.
    // So a send stamped after it is a new batch, allowed only after A got the lock again.
    const afterFreeze = child.events.filter((e) => e.at > frozenAt);
    const reacquiredAt = afterFreeze.find((e) => e.kind === 'acquired')?.at ?? Number.POSITIVE_INFINITY;
    const story = JSON.stringify({
      frozenAt,
      a: afterFreeze,
      b: log.of('B').filter((e) => e.kind !== 'send'),
    });
    expect(
      sends(afterFreeze).filter((e) => e.at <= reacquiredAt),
      story,
    ).toEqual([]);
    expect(log.sendsWithoutLock('B')).toEqual([]);
  }, 120_000);
});

/**
 * The standby took over because the silent holder's session was ended, not before: at least
 * idle_session_timeout after the server last saw that session finish a statement (a lower bound,
 * which a slow host cannot break); and within the bound (an upper bound, checked generously: on a
 * loaded host everything is late; the bound itself is the design's, see relay-timing.test.ts).
 */
function expectTakeoverWithinBound(
  fault: string,
  faultAt: number,
  holderIdleSince: number,
  acquired: RelayEvent | undefined,
  standby: OutboxRelay,
): void {
  expect(acquired).toMatchObject({ kind: 'acquired', takeover: true });
  const acquiredAt = acquired?.at ?? Number.POSITIVE_INFINITY;
  const takeoverMs = acquiredAt - faultAt;
  console.info(
    `${fault}: standby took over ${takeoverMs} ms after the fault, ${acquiredAt - holderIdleSince} ms after ` +
      `the holder's last statement (idle_session_timeout ${standby.timing.idleSessionTimeoutMs} ms, bound ${TAKEOVER_MS} ms)`,
  );
  expect(Number.isFinite(holderIdleSince), 'the holder session was last seen idle').toBe(true);
  // Timestamps of Postgres (ms, same host clock) and of this process: a few ms of rounding.
  expect(acquiredAt - holderIdleSince).toBeGreaterThanOrEqual(standby.timing.idleSessionTimeoutMs - 5);
  expect(takeoverMs).toBeLessThan(3 * TAKEOVER_MS);
}

interface ChildRelay {
  process: ChildProcess;
  events: RelayEvent[];
  stderr: () => string;
}

function startChildRelay(name: string): ChildRelay {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'relay-child.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      OUTBOX_TABLE: table,
      TAKEOVER_MS: String(TAKEOVER_MS),
      RELAY_NAME: name,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: RelayEvent[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + String(chunk)).slice(-4000);
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as RelayEvent);
    } catch {
      stderr += `\nstdout: ${line}`;
    }
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  });
  return { process: child, events, stderr: () => stderr };
}

/** The state letter of /proc/<pid>/stat (R, S, T = stopped, …). */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}
