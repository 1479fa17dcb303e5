import { backoffDelay, settlesWithin, sleep, TrickleMeter } from '@kafka-poc/resilience';
import {
  type CommitOffset,
  commitOffsetsFor,
  mergeCommitOffsets,
  splitByOwnership,
} from './commit-offsets.ts';
import { ConsumerSession, type SessionConfig, type SessionRecord } from './consumer-session.ts';
import { KafkaError } from './errors.ts';
import { MembershipWatch } from './membership-watch.ts';
import type {
  BatchHandler,
  ConsumerRunner,
  ConsumerRunnerOptions,
  IncomingMessage,
  PartitionRef,
  ProducedOffset,
} from './types.ts';

const defaults = {
  maxBatchSize: 500,
  maxBatchWaitMs: 10,
  retryBackoffMs: { initialMs: 200, maxMs: 10_000 },
  fetchMaxWaitMs: 500,
  fetchMinBytes: 1,
  commitIntervalMs: 1000,
  fetchIntervalMs: 0,
  stopTimeoutMs: 30_000,
};
/** Replacing a failed session: quick first retry, then at most every 10 s while the broker is away. */
const reconnectBackoff = { initialMs: 500, maxMs: 10_000 };
const closeTimeoutMs = 10_000;
/** A failed offset commit is tried again after this backoff even when no batch comes to carry it. */
const commitRetryBackoff = { initialMs: 1000, maxMs: 10_000 };
/**
 * Offset commits refused for membership reasons this long (the library rejoining in between) mean
 * the member will not recover by itself: it is replaced (see MembershipWatch).
 */
const membershipStallMs = 30_000;

/** Optional knobs beyond the shared interface; all have defaults. */
export interface ConsumerRunnerTuning {
  /** Longest wait of one fetch request when there is nothing (or less than fetchMinBytes) to read (default 500 ms). */
  fetchMaxWaitMs?: number;
  /** Bytes the broker waits for before answering a fetch, up to fetchMaxWaitMs (default 1: at once). */
  fetchMinBytes?: number;
  /**
   * Offsets of handled batches are committed at most this often (default 1 s; 0: after every batch),
   * and always before a clean stop. A crash or a lost partition re-delivers at most this much, which
   * the inboxes absorb; an offset commit per batch was a third of the broker's requests at low rates.
   */
  commitIntervalMs?: number;
  /**
   * While records arrive slowly (a trickle: fewer than 5 per interval over the last second),
   * fetches that return records are at least this far apart (default 0: never paced). At low rates
   * each record otherwise costs a fetch, a handler call and a transaction of its own; faster
   * streams fill batches by themselves and are not held back. A fetch still returns as soon as
   * there is a record, so an idle consumer long-polls and the first record after a quiet spell is
   * not delayed.
   */
  fetchIntervalMs?: number;
  /** How long stop() waits for the in-flight handler call before giving up on it (default 30 s). */
  stopTimeoutMs?: number;
}

export function createConsumerRunner(options: ConsumerRunnerOptions & ConsumerRunnerTuning): ConsumerRunner {
  if (options.topics.length === 0) {
    throw new KafkaError('INVALID_ARGUMENT', 'A consumer runner needs at least one topic', {
      retryable: false,
    });
  }
  return new BatchConsumerRunner(options);
}

/**
 * Runs one handler call at a time over batches of fetched records, commits the offsets of handled
 * batches (at most every commitIntervalMs, and on stop), retries a failed batch unchanged until it
 * succeeds, and replaces the group member (session) when the library gives up on fetching or
 * heartbeating, so it outlives broker restarts.
 */
class BatchConsumerRunner implements ConsumerRunner {
  readonly #options: ConsumerRunnerOptions & ConsumerRunnerTuning;
  readonly #handler: BatchHandler;
  #session: ConsumerSession | undefined;
  #stopController = new AbortController();
  #loop: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  /** Set when stop() gave up waiting for the handler: its late outcome must not be committed. */
  #abandoned = false;
  /** Offsets of handled records not committed yet (not due, or their commit failed). */
  #uncommitted: CommitOffset[] = [];
  /** When the last commit was sent (ms, Date.now()). */
  #lastCommitAt = 0;
  /** A commit due later, while no batch comes to carry it. */
  #commitTimer: NodeJS.Timeout | undefined;
  /** Commits run one at a time, so an older one can never land after a newer one. */
  #committing: Promise<void> = Promise.resolve();
  /** Records taken over the last second (pacing). */
  #arrivals = new TrickleMeter();
  /** Commits refused for membership reasons since the last one that worked. */
  #membership = new MembershipWatch(membershipStallMs);
  /** Failed commits in a row (backoff of their retries). */
  #commitFailures = 0;

  constructor(options: ConsumerRunnerOptions & ConsumerRunnerTuning) {
    this.#options = options;
    this.#handler = options.handler;
  }

  start(): Promise<void> {
    if (this.#loop !== undefined) return Promise.resolve();
    this.#starting ??= this.#performStart().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async stop(): Promise<void> {
    await this.#starting?.catch(() => undefined);
    if (!this.#loop) return this.#stopping;
    this.#stopping ??= this.#performStop(this.#loop);
    return this.#stopping;
  }

  isJoined(): boolean {
    return this.#session?.isJoined() ?? false;
  }

  assignments(): PartitionRef[] {
    return this.#session?.assignments() ?? [];
  }

  async #performStart(): Promise<void> {
    await this.#stopping;
    this.#stopController = new AbortController();
    this.#stopping = undefined;
    this.#abandoned = false;
    this.#resetCommits();
    const session = await ConsumerSession.open(this.#sessionConfig());
    this.#session = session;
    this.#loop = this.#run(session);
  }

  async #performStop(loop: Promise<void>): Promise<void> {
    this.#stopController.abort();
    this.#session?.pauseFetching();
    const timeoutMs = this.#options.stopTimeoutMs ?? defaults.stopTimeoutMs;
    const finished = await settlesWithin(loop, timeoutMs);
    if (!finished) {
      this.#abandoned = true;
      this.#report(
        new KafkaError(
          'KAFKA_COMMIT_FAILED',
          `Handler still running after ${timeoutMs} ms; stopped without committing it`,
          {
            retryable: true,
          },
        ),
      );
    }
    const session = this.#session;
    // What was handled before stop() is committed now (a handler abandoned above added nothing).
    if (session && !session.memberLost) await this.#flushCommits(session);
    this.#clearCommitTimer();
    this.#session = undefined;
    this.#loop = undefined;
    await this.#closeSession(session);
  }

  get #stopped(): boolean {
    return this.#stopController.signal.aborted;
  }

  async #run(first: ConsumerSession): Promise<void> {
    let session: ConsumerSession | undefined = first;
    try {
      while (session && !this.#stopped) {
        await this.#consume(session);
        if (this.#stopped) return;
        if (!session.memberLost && (await this.#restartStream(session))) continue;
        if (this.#stopped) return;
        this.#report(
          new KafkaError('KAFKA_UNREACHABLE', 'Group member lost; joining as a new member', {
            retryable: true,
          }),
        );
        this.#session = undefined;
        await this.#closeSession(session);
        session = await this.#reopen();
        this.#session = session;
      }
    } catch (error) {
      // Nothing above is expected to throw; if it does, report it rather than leave a rejected promise.
      this.#report(error);
    }
  }

  /** Replaces a failed stream on the same member, with backoff; false if stopped or the member is lost. */
  async #restartStream(session: ConsumerSession): Promise<boolean> {
    for (let attempt = 1; !this.#stopped && !session.memberLost; attempt++) {
      await sleep(backoffDelay(attempt, reconnectBackoff), this.#stopController.signal);
      if (this.#stopped || session.memberLost) return false;
      try {
        await session.restartStream();
        return true;
      } catch (error) {
        this.#report(error, { attempt, batchSize: 0 });
      }
    }
    return false;
  }

  /** Handles batches until the session breaks or stop() is called. */
  async #consume(session: ConsumerSession): Promise<void> {
    const limits = {
      maxSize: this.#options.maxBatchSize ?? defaults.maxBatchSize,
      maxWaitMs: this.#options.maxBatchWaitMs ?? defaults.maxBatchWaitMs,
    };
    const isAssigned = (topic: string, partition: number): boolean => session.isAssigned(topic, partition);
    while (!this.#stopped && !session.broken) {
      const batch = await session.reader.next(limits, this.#stopController.signal, isAssigned);
      if (batch.length === 0) continue;
      session.pacing = this.#slowArrivals(batch.length);
      const handled = await this.#handleUntilDone(batch);
      if (!handled || this.#abandoned) return;
      this.#uncommitted = mergeCommitOffsets(this.#uncommitted, commitOffsetsFor(batch));
      await this.#commitWhenDue(session, batch.length);
    }
  }

  /** Whether records arrive slowly enough to pace fetches (see fetchIntervalMs). */
  #slowArrivals(count: number): boolean {
    const intervalMs = this.#options.fetchIntervalMs ?? defaults.fetchIntervalMs;
    if (intervalMs <= 0) return false;
    this.#arrivals.add(count);
    return this.#arrivals.isTrickle(intervalMs);
  }

  /** Commits now if the interval has passed since the last commit, else makes sure a timer will. */
  async #commitWhenDue(session: ConsumerSession, batchSize: number): Promise<void> {
    const intervalMs = this.#options.commitIntervalMs ?? defaults.commitIntervalMs;
    const dueInMs = this.#lastCommitAt + intervalMs - Date.now();
    if (dueInMs <= 0) {
      await this.#flushCommits(session, batchSize);
      return;
    }
    this.#commitTimer ??= setTimeout(() => {
      this.#commitTimer = undefined;
      if (this.#session === session && !this.#stopped) void this.#flushCommits(session, 0);
    }, dueInMs).unref();
  }

  /** Commits every handled offset not committed yet (serialized with any commit in flight). */
  #flushCommits(session: ConsumerSession, batchSize = 0): Promise<void> {
    this.#clearCommitTimer();
    this.#committing = this.#committing.then(() => this.#commit(session, batchSize));
    return this.#committing;
  }

  #clearCommitTimer(): void {
    clearTimeout(this.#commitTimer);
    this.#commitTimer = undefined;
  }

  /** Calls the handler with the same batch until it succeeds; false if stopped first. */
  async #handleUntilDone(records: SessionRecord[]): Promise<boolean> {
    const batch: IncomingMessage[] = records.map((r) => r.message);
    const backoff = this.#options.retryBackoffMs ?? defaults.retryBackoffMs;
    const signal = this.#stopController.signal;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await this.#handler(batch, { signal, attempt });
        return true;
      } catch (error) {
        this.#report(error, { attempt, batchSize: batch.length });
        await sleep(backoffDelay(attempt, backoff), signal);
      }
    }
    return false;
  }

  async #commit(session: ConsumerSession, batchSize: number): Promise<void> {
    // A replaced member's offsets were dropped with it; its successor re-reads from the last commit.
    if (this.#session !== session) return;
    const offsets = this.#uncommitted;
    this.#uncommitted = [];
    if (offsets.length === 0) return;
    this.#lastCommitAt = Date.now();
    // Partitions reassigned during the batch are left to their new owner, which re-reads them.
    const { owned, lost } = splitByOwnership(offsets, (topic, partition) =>
      session.isAssigned(topic, partition),
    );
    if (lost.length > 0) {
      const names = lost.map((o) => `${o.topic}:${o.partition}`).join(', ');
      this.#report(
        new KafkaError('KAFKA_COMMIT_FAILED', `Not committing ${names}: reassigned during the batch`, {
          retryable: true,
        }),
        { attempt: 0, batchSize },
      );
    }
    try {
      await session.commit(owned);
      this.#membership.succeeded();
      this.#commitFailures = 0;
      if (owned.length > 0) this.#notifyCommitted(owned);
    } catch (error) {
      // Commits of partitions moved to another member can fail (the new owner re-reads from the last
      // commit and idempotent handlers absorb the repeat); a broker outage too. Never fatal: what is
      // still owned is tried again, with the next batch or after a backoff, whichever comes first.
      this.#uncommitted = mergeCommitOffsets(owned, this.#uncommitted);
      this.#report(error, { attempt: 0, batchSize });
      const stale = this.#membership.failed(error);
      if (stale) {
        this.#report(
          new KafkaError(
            'KAFKA_UNREACHABLE',
            `Offset commits refused for ${stale.forMs} ms (${stale.apiId}); joining as a new member`,
            { cause: error, retryable: true },
          ),
        );
        session.abandonMember();
        return;
      }
      this.#retryCommitLater(session);
    }
  }

  /** Tries a failed commit again after a backoff, even if no batch comes to carry it. */
  #retryCommitLater(session: ConsumerSession): void {
    this.#commitFailures++;
    if (this.#commitTimer !== undefined) return;
    this.#commitTimer = setTimeout(
      () => {
        this.#commitTimer = undefined;
        if (this.#session === session && !this.#stopped) void this.#flushCommits(session, 0);
      },
      backoffDelay(this.#commitFailures, commitRetryBackoff),
    ).unref();
  }

  /** A new member starts with nothing to commit and a clean record. */
  #resetCommits(): void {
    this.#clearCommitTimer();
    this.#uncommitted = [];
    this.#membership.succeeded();
    this.#commitFailures = 0;
  }

  /** Opens a new session with backoff until it works or stop() is called. */
  async #reopen(): Promise<ConsumerSession | undefined> {
    // A new member re-reads from the last commit: the old member's pending offsets are not its own.
    this.#resetCommits();
    for (let attempt = 1; !this.#stopped; attempt++) {
      await sleep(backoffDelay(attempt, reconnectBackoff), this.#stopController.signal);
      if (this.#stopped) return undefined;
      try {
        return await ConsumerSession.open(this.#sessionConfig());
      } catch (error) {
        this.#report(error, { attempt, batchSize: 0 });
      }
    }
    return undefined;
  }

  async #closeSession(session: ConsumerSession | undefined): Promise<void> {
    try {
      await session?.close(closeTimeoutMs);
    } catch (error) {
      this.#report(error);
    }
  }

  #sessionConfig(): SessionConfig {
    const o = this.#options;
    return {
      connection: o.connection,
      groupId: o.groupId,
      topics: o.topics,
      groupProtocol: o.groupProtocol ?? 'consumer',
      startFrom: o.startFrom ?? 'earliest',
      maxBatchSize: o.maxBatchSize ?? defaults.maxBatchSize,
      fetchMaxWaitMs: o.fetchMaxWaitMs ?? defaults.fetchMaxWaitMs,
      fetchIntervalMs: o.fetchIntervalMs ?? defaults.fetchIntervalMs,
      fetchMinBytes: o.fetchMinBytes ?? defaults.fetchMinBytes,
      heartbeatStallMs: 60_000,
      onClientError: (error) => this.#report(error),
    };
  }

  #notifyCommitted(offsets: CommitOffset[]): void {
    const committed: ProducedOffset[] = offsets.map(({ topic, partition, offset }) => ({
      topic,
      partition,
      offset,
    }));
    try {
      this.#options.onCommitted?.(committed);
    } catch {
      // A throwing observer must not stop consumption.
    }
  }

  #report(error: unknown, info: { attempt: number; batchSize: number } = { attempt: 0, batchSize: 0 }): void {
    try {
      this.#options.onError?.(error, info);
    } catch {
      // A throwing observer must not stop consumption.
    }
  }
}
