import { EventEmitter } from 'node:events';
import type { KafkaAdmin } from '@kafka-poc/kafka';
import { afterEach, describe, expect, it } from 'vitest';
import { type CheckerClient, type CheckerDbOptions, describeTarget, query, withConnection } from './db.ts';
import { readFacts } from './facts.ts';
import { type FakeAnswer, type FakePostgres, startFakePostgres } from './fake-postgres.ts';
import { waitUntilSettled } from './settle.ts';

// Fast retries: the waits are the project's backoff, only shorter.
const fast = { backoff: { initialMs: 20, maxMs: 50 } } satisfies CheckerDbOptions;

let fake: FakePostgres | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function fakePostgres(answer?: (sql: string, session: { id: number }) => FakeAnswer) {
  fake = await startFakePostgres(answer ? { answer } : {});
  return fake;
}

/** Options that record what the checker was told: connection 'error' events and retries. */
function recording(extra: CheckerDbOptions = {}) {
  const connectionErrors: Error[] = [];
  const retries: string[] = [];
  const options: CheckerDbOptions = {
    ...fast,
    ...extra,
    onConnectionError: (error) => connectionErrors.push(error),
    onRetry: ({ error }) => retries.push((error as Error).message),
  };
  return { options, connectionErrors, retries };
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// These run node-postgres' real pg.Client against a fake server that does to the session what a
// Postgres restart or a broken link does. pg emits 'error' from a socket callback when the connection
// dies: with no listener, that is an uncaught exception, which ended the chaos campaign (issue 25)
// and would fail these tests as an unhandled error.
describe('query() through Postgres faults (real pg.Client, fake server)', () => {
  it('a session terminated while idle (57P01): the error pg emits is handled, the read retried on a new connection', async () => {
    const pg = await fakePostgres();
    const { options, connectionErrors, retries } = recording();
    let attempts = 0;
    const result = await withConnection(
      pg.url,
      async (client) => {
        attempts += 1;
        const first = await client.query<{ n: number }>('SELECT 1 AS n');
        if (attempts === 1) {
          // Between two statements, as pg-restart did to the campaign's checker.
          pg.sessions[0]?.terminate();
          await until(() => connectionErrors.length > 0);
        }
        const second = await client.query<{ n: number }>('SELECT 2 AS n');
        return [...first.rows, ...second.rows];
      },
      options,
    );
    expect(result).toEqual([{ n: 1 }, { n: 1 }]);
    // pg emitted 'error' on the idle client (57P01): handled, not an uncaught exception.
    expect(connectionErrors.map((e) => (e as Error & { code?: string }).code)).toContain('57P01');
    expect(attempts).toBe(2);
    expect(retries).toHaveLength(1);
    expect(pg.sessions).toHaveLength(2);
  });

  it('a connection reset during a statement (ECONNRESET): handled, and the statement retried', async () => {
    const pg = await fakePostgres((_sql, session) => (session.id === 1 ? 'reset' : { rows: [{ n: 42 }] }));
    const { options, connectionErrors, retries } = recording();
    await expect(query<{ n: number }>(pg.url, 'SELECT 42 AS n', [], options)).resolves.toEqual([{ n: 42 }]);
    expect(connectionErrors.some((e) => /ECONNRESET/.test(`${e.message} ${String(e.cause)}`))).toBe(true);
    expect(retries).toHaveLength(1);
  });

  it('pg-restart: shut down during a statement, down, then starting up: the query waits and succeeds', async () => {
    let answered = false;
    const pg = await fakePostgres((_sql, session) => {
      if (session.id === 1) return 'hang';
      answered = true;
      return { rows: [{ pending: 0 }] };
    });
    const { options, retries } = recording();
    const result = query<{ pending: number }>(pg.url, 'SELECT 0 AS pending', [], options);
    await until(() => pg.sessions[0]?.queries.length === 1);
    await pg.stop(); // fast shutdown: 57P01 to the session, then no listener (ECONNREFUSED)
    await until(() => retries.some((m) => /ECONNREFUSED/.test(m)) || retries.length >= 2);
    await pg.setState('starting'); // logins refused with 57P03
    await until(() => retries.some((m) => /starting up/.test(m)));
    await pg.setState('up');
    await expect(result).resolves.toEqual([{ pending: 0 }]);
    expect(answered).toBe(true);
    expect(retries[0]).toMatch(/administrator command|Connection terminated/);
  });

  it('Postgres that never comes back: fails after its deadline, naming the server and the last error', async () => {
    const pg = await fakePostgres();
    await pg.setState('down');
    const started = Date.now();
    const error = await query(pg.url, 'SELECT 1', [], { ...fast, deadlineMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error).toMatchObject({ code: 'DB_UNAVAILABLE', retryable: true });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^checker: Postgres at 127\\.0\\.0\\.1:${pg.port}/app as checker unreachable for .*ECONNREFUSED`,
      ),
    );
  });

  it('a statement never answered is bounded by the deadline too', async () => {
    const pg = await fakePostgres(() => 'hang');
    const started = Date.now();
    const error = await query(pg.url, 'SELECT 1', [], { ...fast, deadlineMs: 1200 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(error).toMatchObject({ code: 'DB_UNAVAILABLE' });
    expect((error as Error).message).toMatch(/Query read timeout/);
  });

  it('a wrong statement fails at once (not an outage: no retry)', async () => {
    const pg = await fakePostgres(() => ({
      error: { code: '42601', message: 'syntax error at or near "SELEC"' },
    }));
    await expect(query(pg.url, 'SELEC 1', [], fast)).rejects.toMatchObject({ code: '42601' });
    expect(pg.sessions).toHaveLength(1);
  });

  it('a view that does not exist fails at once too (the services wait that out in a deploy; the checker does not)', async () => {
    const pg = await fakePostgres(() => ({
      error: { code: '42P01', message: 'relation "orders_v9" does not exist' },
    }));
    await expect(query(pg.url, 'SELECT * FROM orders_v9', [], fast)).rejects.toMatchObject({ code: '42P01' });
    expect(pg.sessions).toHaveLength(1);
  });

  it('readFacts: a session shut down in the middle of the read is read again on a new one', async () => {
    const pg = await fakePostgres((_sql, session) =>
      session.id === 1 && pg.sessions[0]?.queries.length === 3
        ? {
            error: {
              code: '57P01',
              message: 'terminating connection due to administrator command',
              severity: 'FATAL',
            },
          }
        : { rows: [] },
    );
    const { options, retries } = recording();
    const facts = await readFacts(pg.url, options);
    expect(facts.orders).toEqual([]);
    expect(retries).toEqual([expect.stringMatching(/administrator command/)]);
    expect(pg.sessions).toHaveLength(2);
  });

  it('waitUntilSettled during an outage reports the outage as outstanding at its timeout, without hanging', async () => {
    const pg = await fakePostgres();
    await pg.setState('down');
    const admin = { groupLag: async () => [] } as unknown as KafkaAdmin;
    const started = Date.now();
    const result = await waitUntilSettled(pg.url, admin, [], 700, fast);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.settled).toBe(false);
    expect(result.settled ? [] : result.outstanding).toEqual([
      expect.stringMatching(/^checker: Postgres at .* unreachable .*ECONNREFUSED/),
    ]);
  });
});

/** A fake client: what pg.Client does when its connection dies, without any socket. */
class FakeClient extends EventEmitter implements CheckerClient {
  listenersAtConnect = -1;
  ended = false;
  /** What emitting 'error' threw: in pg that throw happens in a socket callback, an uncaught exception. */
  uncaught: unknown;
  readonly #script: 'dies-during-query' | 'refused' | 'answers';

  constructor(script: 'dies-during-query' | 'refused' | 'answers') {
    super();
    this.#script = script;
  }

  async connect(): Promise<void> {
    this.listenersAtConnect = this.listenerCount('error');
    if (this.#script === 'refused')
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  }

  query<R>(): Promise<{ rows: R[] }> {
    if (this.#script === 'answers') return Promise.resolve({ rows: [{ n: 1 } as R] });
    return new Promise((_resolve, reject) => {
      setImmediate(() => {
        // As pg's _handleErrorEvent: every query fails, then 'error' is emitted on the client.
        const error = new Error('Connection terminated unexpectedly');
        reject(error);
        try {
          this.emit('error', error);
        } catch (thrown) {
          this.uncaught = thrown;
        }
      });
    });
  }

  async end(): Promise<void> {
    this.ended = true;
  }
}

describe('query() with a fake client (no socket)', () => {
  it("listens for 'error' before connecting, so a dying connection cannot crash the process", async () => {
    const clients = [new FakeClient('dies-during-query'), new FakeClient('answers')];
    let next = 0;
    const rows = await query('postgres://checker:secret@db.example:6543/app', 'SELECT 1', [], {
      ...fast,
      createClient: () => clients[next++] as FakeClient,
    });
    expect(rows).toEqual([{ n: 1 }]);
    const [dead] = clients;
    expect(dead?.listenersAtConnect).toBe(1);
    // Without the listener, emit('error') throws: that is the crash of issue 25.
    expect(dead?.uncaught).toBeUndefined();
    expect(clients.every((c) => c.ended)).toBe(true);
  });

  it('retries refused connections with backoff until Postgres answers', async () => {
    const clients = [
      new FakeClient('refused'),
      new FakeClient('refused'),
      new FakeClient('refused'),
      new FakeClient('answers'),
    ];
    let next = 0;
    const delays: number[] = [];
    const rows = await query('postgres://u@h/db', 'SELECT 1', [], {
      backoff: { initialMs: 4, maxMs: 16, jitter: 0 },
      createClient: () => clients[next++] as FakeClient,
      onRetry: ({ delayMs }) => delays.push(delayMs),
    });
    expect(rows).toEqual([{ n: 1 }]);
    expect(delays).toEqual([4, 8, 16]);
  });

  it('bounds each attempt by the deadline (connection and statement timeouts)', async () => {
    const configs: Record<string, unknown>[] = [];
    await query('postgres://u@h/db', 'SELECT 1', [], {
      deadlineMs: 3000,
      createClient: (config) => {
        configs.push(config as Record<string, unknown>);
        return new FakeClient('answers');
      },
    });
    // Both capped by the time left (3000 ms less the few ms before the attempt).
    for (const key of ['connectionTimeoutMillis', 'query_timeout']) {
      expect(configs[0]?.[key]).toBeGreaterThan(2900);
      expect(configs[0]?.[key]).toBeLessThanOrEqual(3000);
    }
  });

  it('names the server without its password', () => {
    expect(describeTarget('postgres://checker:secret@127.0.0.1:5433/app')).toBe(
      '127.0.0.1:5433/app as checker',
    );
    expect(describeTarget('postgres://db.example/app')).toBe('db.example:5432/app');
  });
});
