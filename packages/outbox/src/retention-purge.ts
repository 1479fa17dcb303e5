import type { Pool } from '@kafka-poc/db';
import { backoffDelay, sleep } from '@kafka-poc/resilience';

export interface RetentionPurgeOptions {
  pool: Pool;
  /** Table, key column and time column: trusted identifiers from code, not input. */
  table: string;
  keyColumn: string;
  /** Rows whose time is older than `retentionMs` are deleted (NULL times never are). */
  timeColumn: string;
  retentionMs: number;
  /**
   * Longest pause between two runs: after a run that found nothing. A run that stopped with a full
   * batch is followed at once (after `batchPauseMs`), and one that found rows comes back when about
   * a batch has expired again at the rate it observed (at least 1 s, at most this): see nextPurgeDelay.
   */
  intervalMs: number;
  /** Most rows one DELETE removes (default 1000): short statements, short row locks, little WAL at once. */
  batchSize?: number;
  /** A run stops after this long even if rows are left (default 10 s); the next run follows at once. */
  runBudgetMs?: number;
  /** Pause between two batches of one run (default 10 ms), so a backlog does not monopolise the DB. */
  batchPauseMs?: number;
  /** `lock_timeout` of each DELETE (default 1 s): a purge gives up rather than queue behind a lock. */
  lockTimeoutMs?: number;
  /** `statement_timeout` of each DELETE (default 5 s). */
  statementTimeoutMs?: number;
  /** Checked before each run (e.g. only the active relay purges its outbox). */
  shouldRun?: () => boolean;
  hooks?: RetentionPurgeHooks;
}

export interface RetentionPurgeHooks {
  /** After each run that deleted something: rows, DELETE statements, and how long the run took. */
  onPurged?: (result: PurgeResult) => void;
  /** A run failed (lock or statement timeout, DB down): the next run tries again, backed off (1 s … interval). */
  onError?: (error: unknown) => void;
}

export interface PurgeResult {
  rows: number;
  batches: number;
  durationMs: number;
  /** The run stopped on a full batch (time budget or stop()): rows may be left, the loop goes straight on. */
  more: boolean;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** How often to purge for a retention: a tenth of it, between 1 s and `maxMs` (default 10 min). */
export function purgeInterval(retentionMs: number, maxMs = 600_000): number {
  return Math.min(maxMs, Math.max(1000, Math.floor(retentionMs / 10)));
}

/** Shortest pause after a run that emptied the backlog (and first retry after a failure). */
const MIN_IDLE_MS = 1000;

/**
 * How long the loop waits after a run, so that retention keeps up with the rate rows expire at:
 *  - the run stopped on a full batch (its time budget): at once, after the batch pause;
 *  - it deleted nothing: the interval;
 *  - it caught up after deleting `rows`, which expired over `sinceLastRunMs` (since the previous run
 *    ended): until about one batch has expired again at that rate, between 1 s and the interval.
 * So under a sustained load the rows past the retention stay within about a batch and a second's
 * worth, instead of an interval's worth (10 min for the default inbox retention: 3.6 M rows at
 * 6,000 rows/s), and a quiet table is still looked at only once per interval.
 */
export function nextPurgeDelay(
  result: Pick<PurgeResult, 'rows' | 'more'>,
  sinceLastRunMs: number,
  options: { intervalMs: number; batchSize: number; batchPauseMs: number },
): number {
  if (result.more) return options.batchPauseMs;
  if (result.rows === 0) return options.intervalMs;
  const untilBatch = (options.batchSize * Math.max(1, sinceLastRunMs)) / result.rows;
  return Math.round(Math.min(options.intervalMs, Math.max(MIN_IDLE_MS, untilBatch)));
}

/**
 * Deletes rows older than a retention in bounded batches, on its own loop and its own pooled
 * connection: never on a caller's critical path. Each batch is one short transaction:
 *
 *   DELETE … WHERE key = ANY(ARRAY(SELECT key … WHERE time < cutoff ORDER BY time LIMIT n
 *                                  FOR UPDATE SKIP LOCKED))
 *
 * with an index on the time column, so a batch reads n index entries instead of scanning the table;
 * SKIP LOCKED passes over rows another transaction holds, and `lock_timeout`/`statement_timeout`
 * make a purge that would wait give up instead (it is retried on the next run). Several instances
 * purging the same table split the rows instead of waiting for each other.
 */
export class RetentionPurger {
  #options: Required<Omit<RetentionPurgeOptions, 'hooks' | 'shouldRun'>> &
    Pick<RetentionPurgeOptions, 'hooks' | 'shouldRun'>;
  #stopping = new AbortController();
  #loop: Promise<void> | undefined;
  #sql: string;

  constructor(options: RetentionPurgeOptions) {
    for (const name of [options.table, options.keyColumn, options.timeColumn])
      if (!IDENTIFIER.test(name)) throw new Error(`invalid identifier ${name}`);
    this.#options = {
      batchSize: 1000,
      runBudgetMs: 10_000,
      batchPauseMs: 10,
      lockTimeoutMs: 1000,
      statementTimeoutMs: 5000,
      ...options,
    };
    const { table, keyColumn: key, timeColumn: time } = this.#options;
    this.#sql = `DELETE FROM ${table} WHERE ${key} = ANY(ARRAY(
        SELECT ${key} FROM ${table}
        WHERE ${time} IS NOT NULL AND ${time} < now() - ($1::bigint * interval '1 millisecond')
        ORDER BY ${time} LIMIT $2 FOR UPDATE SKIP LOCKED))`;
  }

  get table(): string {
    return this.#options.table;
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#stopping = new AbortController();
    this.#loop = this.#run();
  }

  /** Stops after the statement in flight (each is bounded by its statement timeout). */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#loop;
    this.#loop = undefined;
  }

  /** One run: batches until a batch is not full, the time budget is spent, or stop() is called. */
  async runOnce(): Promise<PurgeResult> {
    const { batchSize, runBudgetMs, batchPauseMs } = this.#options;
    const started = performance.now();
    let rows = 0;
    let batches = 0;
    let more = false;
    for (;;) {
      const deleted = await this.#deleteBatch();
      batches++;
      rows += deleted;
      if (deleted < batchSize || this.#stopping.signal.aborted) break;
      if (performance.now() - started >= runBudgetMs) {
        more = true;
        break;
      }
      await sleep(batchPauseMs, this.#stopping.signal);
      if (this.#stopping.signal.aborted) break;
    }
    const result = { rows, batches, durationMs: performance.now() - started, more };
    if (rows > 0) this.#options.hooks?.onPurged?.(result);
    return result;
  }

  /**
   * Runs at once, then again after nextPurgeDelay: straight on while runs end on a full batch, the
   * interval only once a run found nothing. A failed run is retried backed off (1 s, 2 s, … up to
   * the interval). stop() interrupts any wait, and a run after its statement in flight.
   */
  async #run(): Promise<void> {
    const signal = this.#stopping.signal;
    const { intervalMs, batchSize, batchPauseMs } = this.#options;
    let failures = 0;
    let lastRunEnd = performance.now();
    while (!signal.aborted) {
      let wait = intervalMs;
      if (this.#options.shouldRun?.() !== false) {
        try {
          const result = await this.runOnce();
          failures = 0;
          const now = performance.now();
          wait = nextPurgeDelay(result, now - lastRunEnd, { intervalMs, batchSize, batchPauseMs });
          lastRunEnd = now;
        } catch (error) {
          failures++;
          this.#options.hooks?.onError?.(error);
          const initialMs = Math.min(MIN_IDLE_MS, intervalMs);
          wait = backoffDelay(failures, { initialMs, maxMs: Math.max(initialMs, intervalMs) });
          lastRunEnd = performance.now();
        }
      }
      await sleep(wait, signal);
    }
  }

  async #deleteBatch(): Promise<number> {
    const { pool, lockTimeoutMs, statementTimeoutMs, retentionMs, batchSize } = this.#options;
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query(
        `SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)`,
        [String(lockTimeoutMs), String(statementTimeoutMs)],
      );
      const result = await client.query(this.#sql, [retentionMs, batchSize]);
      await client.query('COMMIT');
      return result.rowCount ?? 0;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e; // the connection is unusable: the pool must not hand it out again
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
