import type { Pool, PoolSslConfig } from '@kafka-poc/db';
import type { KafkaProducer } from '@kafka-poc/kafka';
import { backoffDelay, sleep } from '@kafka-poc/resilience';
import { RelayListener } from './relay-listener.ts';
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
  /** Fallback poll when no NOTIFY arrives (default 1000 ms). */
  pollIntervalMs?: number;
  /** How long a standby relay waits before trying the lock again (default 2000 ms). */
  standbyRetryMs?: number;
  /** Sent rows older than this are deleted (default 1 h). */
  retentionMs?: number;
  hooks?: OutboxRelayHooks;
}

export interface OutboxRelayHooks {
  onPublished?: (count: number, oldestCreatedAt: Date) => void;
  onError?: (error: unknown, attempt: number) => void;
  onStateChange?: (state: RelayState) => void;
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

/**
 * Publishes outbox rows in commit-visible id order, in batches, with the idempotent producer, and
 * marks them sent. Crash after publish and before marking → the rows are published again on restart;
 * consumers' inboxes absorb the duplicate. Never loses a row: a row is only marked after its ack.
 */
export class OutboxRelay {
  #options: Required<Omit<OutboxRelayOptions, 'hooks' | 'databaseSsl'>> & { hooks: OutboxRelayHooks };
  #listener: RelayListener;
  #state: RelayState = 'stopped';
  #stopping = new AbortController();
  #wake: (() => void) | undefined;
  #pendingWake = false;
  #loop: Promise<void> | undefined;
  #lastPurge = 0;

  constructor(options: OutboxRelayOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.table))
      throw new Error(`invalid outbox table name ${options.table}`);
    const { databaseSsl, ...rest } = options;
    this.#options = {
      batchSize: 500,
      lingerMs: 0,
      pollIntervalMs: 1000,
      standbyRetryMs: 2000,
      retentionMs: 3_600_000,
      hooks: {},
      ...rest,
    };
    this.#listener = new RelayListener({
      url: options.databaseUrl,
      ssl: databaseSsl,
      channel: outboxChannel(options.table),
      lockKey: `outbox-relay:${options.table}`,
      onNotify: () => this.notify(),
    });
  }

  get state(): RelayState {
    return this.#state;
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#stopping = new AbortController();
    this.#loop = this.#run();
  }

  /** Finishes the batch in flight, publishes what is already committed, then releases the lock. */
  async stop(): Promise<void> {
    if (this.#loop === undefined) return;
    this.#stopping.abort();
    this.notify();
    await this.#loop;
    this.#loop = undefined;
    await this.#listener.release();
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
        if (!this.#listener.connected && !(await this.#becomeActive())) continue;
        await this.#drain();
        attempt = 0;
        await this.#waitForWork();
      } catch (error) {
        attempt++;
        this.#options.hooks.onError?.(error, attempt);
        await this.#listener.release();
        await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 5000 }), this.#stopping.signal);
      }
    }
    // Stopping: one last drain so rows committed before SIGTERM leave with this instance.
    if (this.#listener.connected) await this.#drain().catch((e) => this.#options.hooks.onError?.(e, 0));
  }

  async #becomeActive(): Promise<boolean> {
    if (await this.#listener.acquire()) {
      this.#setState('active');
      return true;
    }
    this.#setState('standby');
    await sleep(this.#options.standbyRetryMs, this.#stopping.signal);
    return false;
  }

  /**
   * Publishes until nothing is unsent. When it reads on at once (a full batch, or no linger), one
   * round trip both marks the rows just published and fetches the next ones: a busy relay pays one
   * statement per batch, not two.
   */
  async #drain(): Promise<void> {
    const { producer, lingerMs, batchSize } = this.#options;
    let published: string[] = [];
    let full = false;
    for (;;) {
      // A full batch means more is waiting: read on at once. Otherwise let rows committing right now
      // share the next request (skipped once stopping, so stop() is not delayed), after marking what
      // was published, so sent_at stays the publish time.
      if (!full && lingerMs > 0) {
        if (published.length > 0) await this.#markSentAndFetch(published, 0);
        published = [];
        await sleep(lingerMs, this.#stopping.signal);
      }
      this.#pendingWake = false;
      // Here too, not only when idle: under steady load the relay may never run out of rows.
      await this.#purgeOld();
      const rows = await this.#markSentAndFetch(published);
      if (rows.length === 0) return;
      await producer.send(
        rows.map((r) => ({
          topic: r.topic,
          value: r.value,
          headers: r.headers,
          ...(r.key ? { key: r.key } : {}),
        })),
      );
      published = rows.map((r) => r.id);
      full = rows.length >= batchSize;
      this.#options.hooks.onPublished?.(rows.length, rows[0]?.created_at ?? new Date());
    }
  }

  /**
   * Marks `sent` as sent and returns the next unsent rows in id order. The SELECT sees the snapshot
   * taken before the UPDATE, where those rows still look unsent, hence the explicit exclusion.
   * Crash between publish and mark: the rows are published again, and the inboxes absorb it.
   */
  async #markSentAndFetch(sent: string[], limit = this.#options.batchSize): Promise<Row[]> {
    const { pool, table } = this.#options;
    const { rows } = await pool.query<Row>({
      name: `${table}_mark_sent_select_unsent`,
      text: `WITH marked AS (UPDATE ${table} SET sent_at = now() WHERE id = ANY($1::bigint[]))
        SELECT id, topic, key, value, headers, created_at FROM ${table}
        WHERE sent_at IS NULL AND NOT (id = ANY($1::bigint[])) ORDER BY id LIMIT $2`,
      values: [sent, limit],
    });
    return rows;
  }

  async #purgeOld(): Promise<void> {
    if (Date.now() - this.#lastPurge < 60_000) return;
    this.#lastPurge = Date.now();
    const { table, retentionMs, pool } = this.#options;
    await pool.query(
      `DELETE FROM ${table} WHERE sent_at IS NOT NULL AND sent_at < now() - ($1::bigint * interval '1 millisecond')`,
      [retentionMs],
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
