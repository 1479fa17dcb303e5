import { type PoolSslConfig, pgConnectionConfig } from '@kafka-poc/db';
import { ServiceError } from '@kafka-poc/resilience';
import pg from 'pg';
import type { RelayTiming } from './relay-timing.ts';

export type LockLossReason = 'connection-lost' | 'heartbeat-failed' | 'query-timeout' | 'lock-missing';

/** The relay no longer holds (or can no longer prove it holds) its lock: it must not publish. */
export class RelayLockLostError extends ServiceError<'RELAY_LOCK_LOST'> {
  readonly reason: LockLossReason;

  constructor(reason: LockLossReason, cause?: unknown) {
    super('RELAY_LOCK_LOST', `outbox relay lost its lock (${reason})`, { cause, retryable: true });
    this.reason = reason;
  }
}

export interface RelayLockOptions {
  url: string;
  ssl?: PoolSslConfig | undefined;
  channel: string;
  lockKey: string;
  timing: RelayTiming;
  onNotify: () => void;
  /** Called once per lost lock, as soon as it is noticed (connection error, failed heartbeat). */
  onLost: (reason: LockLossReason, cause?: unknown) => void;
  applicationName?: string;
}

/**
 * One dedicated connection that holds the relay's advisory lock (one active relay per outbox, so one
 * key's events are never published out of order by two relays) and LISTENs for inserts.
 *
 * A session-level advisory lock is lost silently with its session, so the holder has to keep
 * proving it (fencing):
 * - `isFresh()` before each batch: the newest proof was sent less than `freshMs` ago, so the server
 *   cannot have ended the session (and released the lock) since; when it is older, `verify()`
 *   renews it with a statement answered on the lock session (only the session's end or an explicit
 *   unlock releases the lock, and this code never unlocks). It is `SELECT pg_backend_pid()`, not a
 *   pg_locks lookup, because reading pg_locks takes every lock-manager partition lock. A session
 *   ended by the server or an admin is noticed at once by its 'end'/'error' event.
 * - a heartbeat every `heartbeatMs` that does read pg_locks for this session and key, and keeps the
 *   session from idling out while the relay waits for work or for a slow broker.
 * - the session carries `idle_session_timeout`, `tcp_user_timeout` and TCP keepalives, so the server
 *   ends it (releasing the lock) when the holder is frozen (SIGSTOP, GC pause: the kernel still ACKs
 *   keepalives, but no heartbeat comes) or cut off, and a standby takes over within the bound.
 * LISTEN/NOTIFY is only a wake-up: notifications sent while disconnected are lost, so the relay
 * also polls on a timer.
 */
export class RelayLock {
  #options: RelayLockOptions;
  #client: pg.Client | undefined;
  #backendPid = 0;
  /** When the newest successful proof of the lock was sent (ms, Date.now()). */
  #provenAt = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  /** Statements on the lock session run one at a time (pg deprecates queueing on a busy client). */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: RelayLockOptions) {
    this.#options = options;
  }

  get held(): boolean {
    return this.#client !== undefined;
  }

  /** Backend pid of the lock session (0 when not held): for logs and for tests that end it. */
  get backendPid(): number {
    return this.#client ? this.#backendPid : 0;
  }

  /**
   * Connects, bounds the session (timeouts, keepalives), tries the lock, and LISTENs when it got it.
   * Returns whether this relay is the active one.
   */
  async acquire(): Promise<boolean> {
    if (this.#client) return true;
    const { timing } = this.#options;
    const client = new pg.Client({
      ...pgConnectionConfig(this.#options.url, this.#options.ssl),
      application_name: this.#options.applicationName ?? 'outbox-relay',
      keepAlive: true,
      keepAliveInitialDelayMillis: timing.keepalive.idleS * 1000,
      connectionTimeoutMillis: timing.connectTimeoutMs,
      // Client side: a statement on the lock session unanswered this long counts as a lost lock.
      query_timeout: timing.queryTimeoutMs,
    });
    // Until the lock is ours, errors only fail this attempt (the awaited calls below reject).
    client.on('error', () => {});
    try {
      await client.connect();
      const sentAt = Date.now();
      const { rows } = await client.query<{ locked: boolean; pid: number }>({
        // synchronous_commit off: the relay's only writes on this session mark rows as sent, and a
        // mark lost in a crash only means the rows are published again (the inboxes absorb it).
        text: `SELECT set_config('idle_session_timeout', $2, false), set_config('tcp_user_timeout', $3, false),
          set_config('tcp_keepalives_idle', $4, false), set_config('tcp_keepalives_interval', $5, false),
          set_config('tcp_keepalives_count', $6, false), set_config('synchronous_commit', 'off', false),
          pg_try_advisory_lock(hashtext($1)) AS locked, pg_backend_pid() AS pid`,
        values: [
          this.#options.lockKey,
          String(timing.idleSessionTimeoutMs),
          String(timing.tcpUserTimeoutMs),
          String(timing.keepalive.idleS),
          String(timing.keepalive.intervalS),
          String(timing.keepalive.count),
        ],
      });
      if (!rows[0]?.locked) {
        await closeClient(client);
        return false;
      }
      client.on('notification', () => this.#options.onNotify());
      await client.query(`LISTEN "${this.#options.channel}"`);
      this.#client = client;
      this.#backendPid = rows[0].pid;
      this.#provenAt = sentAt;
      client.on('error', (error) => this.#lose(client, 'connection-lost', error));
      client.on('end', () => this.#lose(client, 'connection-lost'));
      this.#heartbeat = setInterval(() => void this.#beat(client), timing.heartbeatMs);
      return true;
    } catch (error) {
      await closeClient(client);
      throw error;
    }
  }

  /** Proves the lock is still held; throws RelayLockLostError (and drops the session) if not. */
  async verify(): Promise<void> {
    const client = this.#client;
    if (!client) throw new RelayLockLostError('connection-lost');
    const sentAt = Date.now();
    let pid: number | undefined;
    try {
      const { rows } = await this.#serial(() =>
        client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'),
      );
      pid = rows[0]?.pid;
    } catch (error) {
      const reason = isReadTimeout(error) ? 'query-timeout' : 'connection-lost';
      this.#lose(client, reason, error);
      throw new RelayLockLostError(reason, error);
    }
    // Another pid would mean another session, whose lock this is not (cannot happen: pg never reconnects).
    if (pid !== this.#backendPid || this.#client !== client) {
      this.#lose(client, 'connection-lost');
      throw new RelayLockLostError('connection-lost');
    }
    this.#provenAt = Math.max(this.#provenAt, sentAt);
  }

  /**
   * Runs a statement on the lock session (the relay's batches: one connection, no pool wait). Its
   * answer proves the lock as verify()'s does. An SQL error leaves the session and its lock as they
   * are; a lost connection or a timeout loses the lock (RelayLockLostError).
   */
  async query<R extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<R[]> {
    const client = this.#client;
    if (!client) throw new RelayLockLostError('connection-lost');
    const sentAt = Date.now();
    try {
      const { rows } = await this.#serial(() => client.query<R>(config));
      if (this.#client === client) this.#provenAt = Math.max(this.#provenAt, sentAt);
      return rows;
    } catch (error) {
      if (isStatementError(error) && this.#client === client) throw error;
      const reason = isReadTimeout(error) ? 'query-timeout' : 'connection-lost';
      this.#lose(client, reason, error);
      throw new RelayLockLostError(reason, error);
    }
  }

  /**
   * Whether the newest proof is recent enough to publish on: sent less than `freshMs` ago, so the
   * server cannot have ended the session since. Synchronous, so the caller can check it and start
   * its send with no await in between: a pause (SIGSTOP, GC, an overloaded host) cannot fall between
   * the check and the send, only before the check (then it fails) or after the send started (then
   * the batch was in flight).
   */
  isFresh(): boolean {
    return this.#client !== undefined && Date.now() - this.#provenAt < this.#options.timing.freshMs;
  }

  /** Closes the session; the lock goes with it. */
  async release(): Promise<void> {
    const client = this.#client;
    this.#stopHeartbeat();
    this.#client = undefined;
    if (client) await closeClient(client);
  }

  async #beat(client: pg.Client): Promise<void> {
    if (this.#client !== client) return;
    try {
      const { rows, sentAt } = await this.#serial(async () => {
        const sentAt = Date.now();
        // The bigint form of the key, split as pg_locks shows it (classid = high, objid = low 32 bits).
        const result = await client.query<{ held: boolean }>({
          text: `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
            AND granted AND objsubid = 1
            AND classid = ((hashtext($1)::bigint >> 32) & 4294967295)::oid
            AND objid = (hashtext($1)::bigint & 4294967295)::oid) AS held`,
          values: [this.#options.lockKey],
        });
        return { rows: result.rows, sentAt };
      });
      if (this.#client !== client) return;
      if (rows[0]?.held) this.#provenAt = Math.max(this.#provenAt, sentAt);
      else this.#lose(client, 'lock-missing');
    } catch (error) {
      this.#lose(client, isReadTimeout(error) ? 'query-timeout' : 'heartbeat-failed', error);
    }
  }

  #serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => {});
    return next;
  }

  #lose(client: pg.Client, reason: LockLossReason, cause?: unknown): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#stopHeartbeat();
    client.removeAllListeners('notification');
    // Not awaited: on a cut link closing can take long; the session is dead to us either way.
    void closeClient(client);
    this.#options.onLost(reason, cause);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}

/** Ends a client; pg destroys the socket when a query hangs, and we wait at most a second. */
async function closeClient(client: pg.Client): Promise<void> {
  await Promise.race([
    client.end().catch(() => {}),
    new Promise((resolve) => setTimeout(resolve, 1000).unref()),
  ]);
}

/**
 * An SQL error the session outlives (a bad statement, a constraint), as opposed to the session
 * ending: a FATAL error (idle_session_timeout, pg_terminate_backend) arrives as the answer to the
 * statement in flight, and class 08/57 errors are connection and operator-intervention ends.
 */
function isStatementError(error: unknown): boolean {
  if (!(error instanceof pg.DatabaseError)) return false;
  if (error.severity === 'FATAL' || error.severity === 'PANIC') return false;
  return !/^(08|57)/.test(error.code ?? '');
}

function isReadTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout';
}
