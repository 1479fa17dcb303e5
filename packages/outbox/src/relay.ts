import type { Pool, PoolSslConfig } from '@kafka-poc/db';
import type { KafkaProducer } from '@kafka-poc/kafka';
import { backoffDelay, sleep, TrickleMeter } from '@kafka-poc/resilience';
import { type LockLossReason, RelayLock, RelayLockLostError } from './relay-lock.ts';
import { type RelayTiming, relayTiming } from './relay-timing.ts';
import { type PurgeResult, purgeInterval, RetentionPurger } from './retention-purge.ts';
import { outboxChannel } from './tables.ts';

export interface OutboxRelayOptions {
  pool: Pool;
  /** Connection string for the relay's dedicated LISTEN/lock connection. */
  databaseUrl: string;
  /** TLS for that connection (the pool's own setting). */
  databaseSsl?: PoolSslConfig;
  producer: KafkaProducer;
  /** Outbox table name (trusted identifier from code, not input). */
  table: string;
  batchSize?: number;
  /**
   * How long the relay lets rows gather before reading a batch that will not be full (default 0).
   * Without it, at moderate load every committed row is its own Kafka request and its own statement.
   */
  lingerMs?: number;
  /**
   * The linger while rows come slowly: fewer than 5 per this interval over the last second (default
   * 0: always `lingerMs`). At low rates every row would otherwise be a Kafka request, two statements
   * and a fetch in every consumer of its own; at higher rates batches fill by themselves.
   */
  slowLingerMs?: number;
  /**
   * Fallback poll when no NOTIFY arrives (default 5 s). A NOTIFY is lost only while the LISTEN
   * session is down, and then the lock is lost too and its next holder drains first.
   */
  pollIntervalMs?: number;
  /**
   * Longest time from the active relay freezing, being cut off or dying until a standby publishes in
   * its place (default 15 s); every lock timing derives from it (relay-timing.ts).
   */
  takeoverMs?: number;
  /** How long a standby relay waits before trying the lock again (default 2000 ms, at most takeoverMs/5). */
  standbyRetryMs?: number;
  /** Sent rows older than this are deleted (default 1 h). */
  retentionMs?: number;
  /** The purge of sent rows (bounded batches on its own loop; see retention-purge.ts). */
  purge?: {
    /** Default: a tenth of the retention, between 1 s and 1 min. */
    intervalMs?: number;
    batchSize?: number;
    lockTimeoutMs?: number;
    statementTimeoutMs?: number;
  };
  /** application_name of the lock session (pg_stat_activity). */
  applicationName?: string;
  hooks?: OutboxRelayHooks;
}

export interface OutboxRelayHooks {
  onPublished?: (count: number, oldestCreatedAt: Date) => void;
  onError?: (error: unknown, attempt: number) => void;
  onStateChange?: (state: RelayState) => void;
  /** Got the lock; `takeover`: another relay held it when this one last tried. */
  onLockAcquired?: (info: { takeover: boolean; backendPid: number }) => void;
  /** The lock was lost (or could no longer be proven); the relay stopped publishing at once. */
  onLockLost?: (reason: LockLossReason, cause?: unknown) => void;
  onPurged?: (result: PurgeResult) => void;
  onPurgeError?: (error: unknown) => void;
}

export type RelayState = 'stopped' | 'standby' | 'active';

interface Row {
  id: string;
  topic: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
  created_at: Date;
}

type Settings = Required<
  Omit<OutboxRelayOptions, 'hooks' | 'databaseSsl' | 'purge' | 'applicationName' | 'standbyRetryMs'>
> & { hooks: OutboxRelayHooks };

/**
 * Publishes outbox rows in commit-visible id order, in batches, with the idempotent producer, and
 * marks them sent. Crash after publish and before marking → the rows are published again on restart;
 * consumers' inboxes absorb the duplicate. Never loses a row: a row is only marked after its ack.
 *
 * Only the holder of the outbox's advisory lock publishes, and only while its latest proof of the lock
 * is fresh (relay-lock.ts): a relay whose lock session died, idled out while it was frozen, or stopped
 * answering, stops publishing before its next batch and goes back to standby. A batch that was
 * already on its way when the lock went may be published by the old and the new holder: the inboxes
 * absorb that duplicate; a new batch is never published by a relay that lost the lock.
 */
export class OutboxRelay {
  #options: Settings;
  #timing: RelayTiming;
  #lock: RelayLock;
  #purger: RetentionPurger;
  #state: RelayState = 'stopped';
  #stopping = new AbortController();
  #wake: (() => void) | undefined;
  #pendingWake = false;
  #loop: Promise<void> | undefined;
  /** Another relay held the lock at our last try: the next acquisition is a takeover. */
  #sawOtherHolder = false;
  /** Locks lost since the last batch that went through: the first is retried at once, then backoff. */
  #losses = 0;
  /** Rows published over the last second (chooses the linger). */
  #published = new TrickleMeter();

  constructor(options: OutboxRelayOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.table))
      throw new Error(`invalid outbox table name ${options.table}`);
    const { databaseSsl, purge, applicationName, standbyRetryMs, ...rest } = options;
    this.#options = {
      batchSize: 500,
      lingerMs: 0,
      slowLingerMs: 0,
      pollIntervalMs: 5000,
      takeoverMs: 15_000,
      retentionMs: 3_600_000,
      hooks: {},
      ...rest,
    };
    this.#timing = relayTiming(this.#options.takeoverMs, standbyRetryMs);
    this.#lock = new RelayLock({
      url: options.databaseUrl,
      ssl: databaseSsl,
      channel: outboxChannel(options.table),
      lockKey: `outbox-relay:${options.table}`,
      timing: this.#timing,
      applicationName: applicationName ?? 'outbox-relay',
      onNotify: () => this.notify(),
      onLost: (reason, cause) => this.#lockLost(reason, cause),
    });
    const { retentionMs, hooks } = this.#options;
    // Only the active relay purges: standbys would only compete for the same rows.
    this.#purger = new RetentionPurger({
      pool: options.pool,
      table: options.table,
      keyColumn: 'id',
      timeColumn: 'sent_at',
      retentionMs,
      intervalMs: purge?.intervalMs ?? purgeInterval(retentionMs, 60_000),
      ...(purge?.batchSize ? { batchSize: purge.batchSize } : {}),
      ...(purge?.lockTimeoutMs ? { lockTimeoutMs: purge.lockTimeoutMs } : {}),
      ...(purge?.statementTimeoutMs ? { statementTimeoutMs: purge.statementTimeoutMs } : {}),
      shouldRun: () => this.#state === 'active',
      hooks: {
        ...(hooks.onPurged ? { onPurged: hooks.onPurged } : {}),
        ...(hooks.onPurgeError ? { onError: hooks.onPurgeError } : {}),
      },
    });
  }

  get state(): RelayState {
    return this.#state;
  }

  /** The lock timings in force (derived from takeoverMs). */
  get timing(): RelayTiming {
    return this.#timing;
  }

  /** Backend pid of the lock session while active (0 otherwise). */
  get lockBackendPid(): number {
    return this.#lock.backendPid;
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#stopping = new AbortController();
    this.#loop = this.#run();
    this.#purger.start();
  }

  /** Finishes the batch in flight, publishes what is already committed, then releases the lock. */
  async stop(): Promise<void> {
    if (this.#loop === undefined) return;
    this.#stopping.abort();
    this.notify();
    await Promise.all([this.#loop, this.#purger.stop()]);
    this.#loop = undefined;
    await this.#lock.release();
    this.#setState('stopped');
  }

  /** Wakes the relay (called on NOTIFY, and by code that just wrote to the outbox in this process). */
  notify(): void {
    this.#pendingWake = true;
    this.#wake?.();
  }

  /** Unsent rows and the age of the oldest, for metrics and health. */
  async backlog(): Promise<{ rows: number; oldestAgeMs: number }> {
    const { rows } = await this.#options.pool.query<{ n: string; oldest: Date | null }>(
      `SELECT count(*) AS n, min(created_at) AS oldest FROM ${this.#options.table} WHERE sent_at IS NULL`,
    );
    const row = rows[0];
    return { rows: Number(row?.n ?? 0), oldestAgeMs: row?.oldest ? Date.now() - row.oldest.getTime() : 0 };
  }

  async #run(): Promise<void> {
    let attempt = 0;
    while (!this.#stopping.signal.aborted) {
      try {
        if (!this.#lock.held && !(await this.#becomeActive())) continue;
        await this.#drain();
        attempt = 0;
        this.#losses = 0;
        await this.#waitForWork();
      } catch (error) {
        // A lost lock was reported (and the state set) when it was noticed: try to get it back (if
        // another relay took it, this one waits as a standby); a lock lost again and again backs off.
        if (error instanceof RelayLockLostError) {
          this.#losses++;
          if (this.#losses > 1) {
            const delay = backoffDelay(this.#losses - 1, {
              initialMs: this.#timing.standbyRetryMs,
              maxMs: this.#timing.takeoverMs / 2,
            });
            await sleep(delay, this.#stopping.signal);
          }
          continue;
        }
        attempt++;
        this.#options.hooks.onError?.(error, attempt);
        await this.#lock.release();
        if (this.#state === 'active') this.#setState('standby');
        await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 5000 }), this.#stopping.signal);
      }
    }
    // Stopping: one last drain so rows committed before SIGTERM leave with this instance.
    if (this.#lock.held) await this.#finalDrain().catch((e) => this.#options.hooks.onError?.(e, 0));
  }

  /**
   * Publishes the rows committed before stop(), and no more: other instances may keep writing to
   * the outbox, and chasing their rows (on a slow host, forever) would hold up this one's shutdown;
   * the next lock holder publishes them.
   */
  async #finalDrain(): Promise<void> {
    const { rows } = await this.#options.pool.query<{ id: string | null }>(
      `SELECT max(id)::text AS id FROM ${this.#options.table}`,
    );
    const until = rows[0]?.id;
    if (until) await this.#drain(until);
  }

  async #becomeActive(): Promise<boolean> {
    if (await this.#lock.acquire()) {
      this.#options.hooks.onLockAcquired?.({
        takeover: this.#sawOtherHolder,
        backendPid: this.#lock.backendPid,
      });
      this.#sawOtherHolder = false;
      this.#setState('active');
      return true;
    }
    this.#sawOtherHolder = true;
    this.#setState('standby');
    await sleep(this.#timing.standbyRetryMs, this.#stopping.signal);
    return false;
  }

  #lockLost(reason: LockLossReason, cause?: unknown): void {
    this.#setState('standby');
    this.#options.hooks.onLockLost?.(reason, cause);
    this.notify();
  }

  /**
   * Publishes until nothing is unsent. One statement per batch: it marks the rows just published and
   * fetches the next ones. Before the first read after a wake-up, and between batches that were not
   * full, the relay lingers (`lingerMs`) so rows committing meanwhile share the Kafka request and the
   * statement; a full batch means more is waiting, so it reads on at once.
   */
  async #drain(untilId?: string): Promise<void> {
    const { producer, batchSize } = this.#options;
    const signal = this.#stopping.signal;
    let published: string[] = [];
    let publishedAt = new Date();
    let full = false;
    for (;;) {
      // Once stopping, the main loop's drain hands over to the bounded final drain (no lingering).
      if (signal.aborted && untilId === undefined) {
        if (published.length > 0) await this.#markSentAndFetch(published, publishedAt, 0);
        return;
      }
      const lingerMs = this.#linger();
      if (!full && lingerMs > 0 && untilId === undefined) await sleep(lingerMs, signal);
      this.#pendingWake = false;
      const rows = await this.#markSentAndFetch(published, publishedAt, batchSize, untilId);
      published = [];
      if (rows.length === 0) return;
      // Fencing: publish only on a proof of the lock sent less than freshMs ago (the heartbeat keeps
      // it fresh; a relay that paused renews it here, or finds the lock gone). The send starts in the
      // same synchronous step as the last freshness check: no await between them.
      while (!this.#lock.isFresh()) await this.#lock.verify();
      await producer.send(
        rows.map((r) => ({
          topic: r.topic,
          value: r.value,
          headers: r.headers,
          ...(r.key ? { key: r.key } : {}),
        })),
      );
      publishedAt = new Date();
      this.#published.add(rows.length, publishedAt.getTime());
      published = rows.map((r) => r.id);
      full = rows.length >= batchSize;
      this.#options.hooks.onPublished?.(rows.length, rows[0]?.created_at ?? new Date());
    }
  }

  /** `slowLingerMs` while rows trickle (fewer than 5 per slowLingerMs over the last second). */
  #linger(): number {
    const { lingerMs, slowLingerMs } = this.#options;
    if (slowLingerMs <= lingerMs) return lingerMs;
    return this.#published.isTrickle(slowLingerMs) ? slowLingerMs : lingerMs;
  }

  /**
   * Marks `sent` as sent at `sentAt` (when the broker acknowledged them: the mark itself may come a
   * linger later) and returns the next unsent rows in id order (up to `untilId` if given). The SELECT
   * sees the snapshot taken before the UPDATE, where those rows still look unsent, hence the explicit
   * exclusion. Crash between publish and mark: the rows are published again, and the inboxes absorb it.
   */
  async #markSentAndFetch(
    sent: string[],
    sentAt: Date,
    limit = this.#options.batchSize,
    untilId: string | null = null,
  ): Promise<Row[]> {
    const { table } = this.#options;
    const text = `WITH marked AS (UPDATE ${table} SET sent_at = $3::timestamptz WHERE id = ANY($1::bigint[]))
        SELECT id, topic, key, value, headers, created_at FROM ${table}
        WHERE sent_at IS NULL AND NOT (id = ANY($1::bigint[]))`;
    // On the lock session: no pool wait, the answer renews the proof of the lock, and its commits
    // do not wait for the disk (relay-lock.ts). The bounded variant (final drain) is a statement of
    // its own: the hot one keeps its plan.
    return this.#lock.query<Row>(
      untilId === null
        ? {
            name: `${table}_mark_sent_at_select_unsent`,
            text: `${text} ORDER BY id LIMIT $2`,
            values: [sent, limit, sentAt],
          }
        : {
            name: `${table}_mark_sent_at_select_unsent_until`,
            text: `${text} AND id <= $4::bigint ORDER BY id LIMIT $2`,
            values: [sent, limit, sentAt, untilId],
          },
    );
  }

  async #waitForWork(): Promise<void> {
    if (this.#pendingWake || this.#stopping.signal.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.#options.pollIntervalMs);
      this.#wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
    this.#wake = undefined;
  }

  #setState(state: RelayState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#options.hooks.onStateChange?.(state);
  }
}
