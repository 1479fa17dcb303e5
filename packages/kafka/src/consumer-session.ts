import { settlesWithin } from '@kafka-poc/resilience';
import {
  Consumer,
  type ConsumerOptions,
  type Message,
  type MessagesStream,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
} from '@platformatic/kafka';
import { ClassicConsumer } from './classic-consumer.ts';
import { baseClientOptions } from './client-options.ts';
import { CLASSIC_HEARTBEAT_INTERVAL_MS, CLASSIC_SESSION_TIMEOUT_MS } from './cluster-timings.ts';
import type { CommitOffset, FetchedRecord } from './commit-offsets.ts';
import { errorChain, hasApiError, isNetworkError, toKafkaError } from './error-mapping.ts';
import { KafkaError } from './errors.ts';
import { toIncomingMessage } from './message-codec.ts';
import { StreamReader } from './stream-reader.ts';
import type { IncomingMessage, KafkaConnectionConfig, PartitionRef } from './types.ts';

export interface SessionConfig {
  connection: KafkaConnectionConfig;
  groupId: string;
  topics: string[];
  groupProtocol: 'consumer' | 'classic';
  startFrom: 'earliest' | 'latest';
  maxBatchSize: number;
  fetchMaxWaitMs: number;
  fetchMinBytes: number;
  /** Fetches that return records are at least this far apart (0: no pacing). */
  fetchIntervalMs: number;
  /** Heartbeats failing this long (broker reachable) mark the member lost, so the runner replaces it. */
  heartbeatStallMs: number;
  onClientError: (error: unknown) => void;
}

export interface SessionRecord extends FetchedRecord {
  message: IncomingMessage;
}

type LibraryConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;
type LibraryStream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;

/** Health flags set by library events, which can fire before the session object exists. */
interface Health {
  /** The broker no longer knows this member, or the library gave up rejoining: a new member is needed. */
  memberLost: boolean;
}

/**
 * One group membership: a library Consumer and its current message stream. A failed stream is
 * replaced on the same member (restartStream); only a lost member needs a whole new session. That
 * matters with KIP-848: a member that could not leave keeps its partitions until its session
 * times out (45 s by default), so a needlessly replaced member stalls those partitions that long.
 */
export class ConsumerSession {
  readonly reader: StreamReader<SessionRecord>;
  readonly #consumer: LibraryConsumer;
  readonly #health: Health;
  readonly #config: SessionConfig;
  #stream: LibraryStream;
  /** Set by the runner while records arrive slowly: fetches are then fetchIntervalMs apart. */
  pacing = false;
  /** Ends a holdFetching() pause. */
  #resumeTimer: NodeJS.Timeout | undefined;
  /** Set by pauseFetching() (stopping): nothing resumes fetching any more. */
  #closing = false;

  private constructor(
    consumer: LibraryConsumer,
    stream: LibraryStream,
    health: Health,
    config: SessionConfig,
  ) {
    this.#consumer = consumer;
    this.#health = health;
    this.#config = config;
    this.#stream = stream;
    this.reader = new StreamReader(toSessionRecord, config.maxBatchSize * 2);
    this.#attach(stream);
  }

  /** Joins the group and starts fetching; throws KAFKA_UNREACHABLE when the group cannot be joined. */
  static async open(config: SessionConfig): Promise<ConsumerSession> {
    const health: Health = { memberLost: false };
    const consumer = createLibraryConsumer(config);
    watchConsumer(consumer, health, config);
    try {
      // A quick look first: joining retries at several levels and takes ~20 s to give up on a dead
      // broker, and it would wait forever for a topic that does not exist.
      await consumer.metadata({ topics: config.topics, forceUpdate: true, retries: 3 });
      const stream = await consume(consumer, config);
      return new ConsumerSession(consumer, stream, health, config);
    } catch (error) {
      await closeLibraryConsumer(consumer).catch(() => undefined);
      if (errorChain(error).some((e) => /^Unknown topic/.test(e.message))) {
        // Retryable: another service may be about to create it.
        throw new KafkaError('TOPIC_NOT_FOUND', `Cannot consume: ${errorChain(error)[0]?.message}`, {
          cause: error,
          retryable: true,
        });
      }
      throw toKafkaError('KAFKA_UNREACHABLE', `Could not join consumer group ${config.groupId}`, error);
    }
  }

  /** The broker forgot this member (or rejoining failed): the session must be replaced. */
  get memberLost(): boolean {
    return this.#health.memberLost;
  }

  /** Replaces a failed stream on the same member; it resumes from the committed offsets. */
  async restartStream(): Promise<void> {
    clearTimeout(this.#resumeTimer);
    this.#resumeTimer = undefined;
    await this.#stream.close().catch(() => undefined);
    try {
      const stream = await consume(this.#consumer, this.#config);
      this.#stream = stream;
      this.#attach(stream);
    } catch (error) {
      throw toKafkaError(
        'KAFKA_UNREACHABLE',
        `Could not resume fetching for group ${this.#config.groupId}`,
        error,
      );
    }
  }

  #attach(stream: LibraryStream): void {
    // Records arrived: the library would fetch again at once; while pacing, hold that fetch back.
    if (this.#config.fetchIntervalMs > 0) {
      stream.on('readable', () => {
        if (this.pacing) this.holdFetching(this.#config.fetchIntervalMs);
      });
    }
    stream.on('error', (error) =>
      this.#config.onClientError(toKafkaError('KAFKA_UNREACHABLE', 'Fetching failed', error)),
    );
    this.reader.attach(stream);
  }

  /** Either the member or its stream failed; nothing more will be fetched until one is replaced. */
  get broken(): boolean {
    return this.#health.memberLost || this.reader.done;
  }

  isJoined(): boolean {
    return !this.#health.memberLost && this.#consumer.isActive();
  }

  assignments(): PartitionRef[] {
    return (this.#consumer.assignments ?? []).flatMap(({ topic, partitions }) =>
      partitions.map((partition) => ({ topic, partition })),
    );
  }

  /** Unknown (null) assignments count as assigned: nothing is dropped before the first assignment. */
  isAssigned(topic: string, partition: number): boolean {
    const assignments = this.#consumer.assignments;
    if (!assignments) return true;
    return assignments.some((a) => a.topic === topic && a.partitions.includes(partition));
  }

  /**
   * The runner found this membership unusable (offset commits refused for good): nothing more is
   * read, and the runner replaces the member as when the broker forgot it.
   */
  abandonMember(): void {
    this.#health.memberLost = true;
    clearTimeout(this.#resumeTimer);
    this.#stream.destroy();
  }

  /** Stops new fetches; records already fetched stay readable. */
  pauseFetching(): void {
    this.#closing = true;
    clearTimeout(this.#resumeTimer);
    this.#stream.pause();
  }

  /**
   * Holds the next fetch back for `ms` (pacing: records arriving meanwhile come in one response
   * instead of one response each). A fetch already in flight still completes.
   */
  holdFetching(ms: number): void {
    if (this.#closing || ms <= 0 || this.#resumeTimer !== undefined) return;
    const stream = this.#stream;
    stream.pause();
    const resume = (): void => {
      this.#resumeTimer = undefined;
      if (this.#closing || this.#stream !== stream) return;
      // resume() fetches at once; while the handler is behind, leave that to the stream's own
      // high-water mark as without pacing (look again after another interval).
      if (stream.readableLength >= stream.readableHighWaterMark) {
        this.#resumeTimer = setTimeout(resume, ms);
        return;
      }
      stream.resume();
    };
    this.#resumeTimer = setTimeout(resume, ms);
  }

  async commit(offsets: CommitOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    try {
      await this.#consumer.commit({ offsets });
    } catch (error) {
      throw toKafkaError(
        'KAFKA_COMMIT_FAILED',
        `Committing offsets for group ${this.#consumer.groupId} failed`,
        error,
      );
    }
  }

  /** Closes the stream, leaves the group and closes connections, giving up after timeoutMs. */
  async close(timeoutMs: number): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#resumeTimer);
    const closing = (async () => {
      await this.#stream.close().catch(() => undefined);
      await closeLibraryConsumer(this.#consumer);
    })();
    let failure: unknown;
    closing.catch((error: unknown) => {
      failure = error;
    });
    if (!(await settlesWithin(closing, timeoutMs))) {
      throw new KafkaError('KAFKA_UNREACHABLE', `Leaving group ${this.#consumer.groupId} timed out`, {
        retryable: true,
      });
    }
    if (failure !== undefined) {
      throw toKafkaError('KAFKA_UNREACHABLE', `Leaving group ${this.#consumer.groupId} failed`, failure);
    }
  }
}

function createLibraryConsumer(config: SessionConfig): LibraryConsumer {
  const options = consumerOptions(config);
  return config.groupProtocol === 'classic'
    ? new ClassicConsumer(options, config.connection)
    : new Consumer(options);
}

async function closeLibraryConsumer(consumer: LibraryConsumer): Promise<void> {
  try {
    await consumer.close(true);
  } finally {
    if (consumer instanceof ClassicConsumer) await consumer.closeOffsetReader();
  }
}

function consume(consumer: LibraryConsumer, config: SessionConfig): Promise<LibraryStream> {
  return consumer.consume({
    topics: config.topics,
    mode: MessagesStreamModes.COMMITTED,
    fallbackMode:
      config.startFrom === 'latest'
        ? MessagesStreamFallbackModes.LATEST
        : MessagesStreamFallbackModes.EARLIEST,
    autocommit: false,
    maxWaitTime: config.fetchMaxWaitMs,
    minBytes: config.fetchMinBytes,
    highWaterMark: config.maxBatchSize,
  });
}

function consumerOptions(config: SessionConfig): ConsumerOptions<Buffer, Buffer, Buffer, Buffer> {
  const common = {
    ...baseClientOptions(config.connection),
    groupId: config.groupId,
    autocommit: false,
    // Bounded, so fetches, commits and joins fail within seconds during an outage; the runner
    // then restarts the stream (or the member) with its own backoff, and stop() never waits long.
    retries: 5,
    maxWaitTime: config.fetchMaxWaitMs,
    minBytes: config.fetchMinBytes,
    maxBytes: 8 * 1024 * 1024,
    highWaterMark: config.maxBatchSize,
    heartbeatStallTimeout: config.heartbeatStallMs,
  };
  if (config.groupProtocol === 'consumer') return { ...common, groupProtocol: 'consumer' };
  // Classic only: the broker drops a silent member after sessionTimeout (library default: 60 s).
  return {
    ...common,
    groupProtocol: 'classic',
    sessionTimeout: CLASSIC_SESSION_TIMEOUT_MS,
    rebalanceTimeout: 60_000,
    heartbeatInterval: CLASSIC_HEARTBEAT_INTERVAL_MS,
  };
}

function watchConsumer(consumer: LibraryConsumer, health: Health, config: SessionConfig): void {
  // The classic protocol emits 'error' when rejoining failed for good; unhandled, it would crash the process.
  consumer.on('error', (error: unknown) => {
    health.memberLost = true;
    config.onClientError(toKafkaError('KAFKA_UNREACHABLE', 'Consumer group membership lost', error));
  });
  consumer.on('consumer:heartbeat:error', ({ error }) => {
    // With the consumer protocol the library retries a member the broker has expired forever with
    // the same member epoch; the classic protocol rejoins by itself.
    if (config.groupProtocol === 'consumer' && hasApiError(error, 'UNKNOWN_MEMBER_ID'))
      health.memberLost = true;
    config.onClientError(toKafkaError('KAFKA_UNREACHABLE', 'Heartbeat failed', error));
  });
  // Last resort for states not recognised above. Not for an unreachable broker: heartbeats resume
  // by themselves when it returns, and a replaced member would hold partitions hostage (see above).
  consumer.on('consumer:heartbeat:stalled', ({ stalledFor, lastError }) => {
    if (lastError && isNetworkError(lastError)) return;
    health.memberLost = true;
    config.onClientError(
      new KafkaError('KAFKA_UNREACHABLE', `No successful heartbeat for ${stalledFor} ms`, {
        cause: lastError,
        retryable: true,
      }),
    );
  });
}

function toSessionRecord(chunk: unknown): SessionRecord {
  const message = chunk as Message;
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    leaderEpoch: message.leaderEpoch,
    message: toIncomingMessage(message),
  };
}
