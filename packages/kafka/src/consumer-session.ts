import {
  Consumer,
  type ConsumerOptions,
  type Message,
  type MessagesStream,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
} from '@platformatic/kafka';
import { baseClientOptions } from './client-options.ts';
import type { CommitOffset, FetchedRecord } from './commit-offsets.ts';
import { settlesWithin } from './backoff.ts';
import { toKafkaError } from './error-mapping.ts';
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
  /** Heartbeats failing this long mark the session broken, so the runner replaces the member. */
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
  broken: boolean;
}

/**
 * One group membership: a library Consumer plus its message stream. When either fails beyond the
 * library's own retries, the runner closes the session and opens a fresh one (a new member).
 */
export class ConsumerSession {
  readonly reader: StreamReader<SessionRecord>;
  readonly #consumer: LibraryConsumer;
  readonly #stream: LibraryStream;
  readonly #health: Health;

  private constructor(
    consumer: LibraryConsumer,
    stream: LibraryStream,
    health: Health,
    config: SessionConfig,
  ) {
    this.#consumer = consumer;
    this.#stream = stream;
    this.#health = health;
    this.reader = new StreamReader(stream, toSessionRecord, config.maxBatchSize * 2);
    stream.on('error', (error) =>
      config.onClientError(toKafkaError('KAFKA_UNREACHABLE', 'Fetching failed', error)),
    );
  }

  /** Joins the group and starts fetching; throws KAFKA_UNREACHABLE when the group cannot be joined. */
  static async open(config: SessionConfig): Promise<ConsumerSession> {
    const health: Health = { broken: false };
    const consumer = new Consumer(consumerOptions(config));
    watchConsumer(consumer, health, config);
    try {
      const stream = await consumer.consume({
        topics: config.topics,
        mode: MessagesStreamModes.COMMITTED,
        fallbackMode:
          config.startFrom === 'latest'
            ? MessagesStreamFallbackModes.LATEST
            : MessagesStreamFallbackModes.EARLIEST,
        autocommit: false,
        maxWaitTime: config.fetchMaxWaitMs,
        highWaterMark: config.maxBatchSize,
      });
      return new ConsumerSession(consumer, stream, health, config);
    } catch (error) {
      await consumer.close(true).catch(() => undefined);
      throw toKafkaError('KAFKA_UNREACHABLE', `Could not join consumer group ${config.groupId}`, error);
    }
  }

  /** The member or its stream failed for good; it must be replaced. */
  get broken(): boolean {
    return this.#health.broken || this.reader.done;
  }

  isJoined(): boolean {
    return !this.broken && this.#consumer.isActive();
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

  /** Stops new fetches; records already fetched stay readable. */
  pauseFetching(): void {
    this.#stream.pause();
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
    const closing = (async () => {
      await this.#stream.close().catch(() => undefined);
      await this.#consumer.close(true);
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

function consumerOptions(config: SessionConfig): ConsumerOptions<Buffer, Buffer, Buffer, Buffer> {
  const common = {
    ...baseClientOptions(config.connection),
    groupId: config.groupId,
    autocommit: false,
    // Bounded, so commits and joins fail within seconds during an outage; the runner then
    // replaces the whole session with backoff instead of piling up retries inside the library.
    retries: 5,
    maxWaitTime: config.fetchMaxWaitMs,
    maxBytes: 8 * 1024 * 1024,
    highWaterMark: config.maxBatchSize,
    heartbeatStallTimeout: config.heartbeatStallMs,
  };
  if (config.groupProtocol === 'consumer') return { ...common, groupProtocol: 'consumer' };
  // Classic only: the broker drops a silent member after sessionTimeout (library default: 60 s).
  return {
    ...common,
    groupProtocol: 'classic',
    sessionTimeout: 30_000,
    rebalanceTimeout: 60_000,
    heartbeatInterval: 3_000,
  };
}

function watchConsumer(consumer: LibraryConsumer, health: Health, config: SessionConfig): void {
  // The classic protocol emits 'error' when rejoining fails; unhandled, it would crash the process.
  consumer.on('error', (error: unknown) => {
    health.broken = true;
    config.onClientError(toKafkaError('KAFKA_UNREACHABLE', 'Consumer group membership lost', error));
  });
  consumer.on('consumer:heartbeat:error', ({ error }) => {
    config.onClientError(toKafkaError('KAFKA_UNREACHABLE', 'Heartbeat failed', error));
  });
  consumer.on('consumer:heartbeat:stalled', ({ stalledFor, lastError }) => {
    health.broken = true;
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
