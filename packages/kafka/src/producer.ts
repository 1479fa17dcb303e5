import { backoffDelay, settlesWithin, sleep } from '@kafka-poc/resilience';
import { type CompressionAlgorithmValue, ProduceAcks, Producer } from '@platformatic/kafka';
import { rotate } from './brokers.ts';
import { baseClientOptions } from './client-options.ts';
import { isClientClosed, isRetryable, toKafkaError } from './error-mapping.ts';
import { KafkaError } from './errors.ts';
import { toLibraryMessage } from './message-codec.ts';
import { choosePartition, createRoundRobin } from './partitioner.ts';
import { assignProducedOffsets } from './produced-offsets.ts';
import { type QueuedSend, queuedMessages, splitOffsets, takeSends } from './send-queue.ts';
import type { KafkaConnectionConfig, KafkaProducer, OutgoingMessage, ProducedOffset } from './types.ts';

export interface ProducerOptions {
  /** How long a send() waits for other calls to share its produce request (default 5 ms; 0 = no wait). */
  lingerMs?: number;
  /** Most messages in one produce request (default 1000); one larger send() still goes alone, unsplit. */
  maxBatchSize?: number;
  /** Most payload bytes in one produce request (default 512 KiB, below the broker's 1 MiB batch limit). */
  maxBatchBytes?: number;
  compression?: CompressionAlgorithmValue;
  /** How long stop() lets queued sends finish before failing them (default 10 s). */
  stopTimeoutMs?: number;
  /**
   * Longest wait for Kafka to acknowledge one produce request (default 120 s, as Kafka's own
   * delivery.timeout.ms): past it the send fails (retryable) and the library client is replaced, so a
   * client stuck retrying a dead path never wedges every later send.
   */
  deliveryTimeoutMs?: number;
}

type LibraryProducer = Producer<Buffer, Buffer, Buffer, Buffer>;
type Metadata = Awaited<ReturnType<LibraryProducer['metadata']>>;

const metadataBackoff = { initialMs: 200, maxMs: 5000 };
/** Library retries of one produce request (100 ms to 1.6 s apart, client-options.ts): ~3 s. */
const libraryProduceRetries = 5;
/** Between whole new sends of a batch the library gave up on, until the delivery timeout. */
const resendBackoff = { initialMs: 100, maxMs: 2000 };

/** As Kafka's own delivery.timeout.ms. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 120_000;

export function createProducer(
  connection: KafkaConnectionConfig,
  options: ProducerOptions = {},
): KafkaProducer {
  return new CoalescingProducer(connection, options);
}

/**
 * Idempotent, acks=all producer. Concurrent send() calls are queued and coalesced into one produce
 * request at a time: one request in flight keeps per-key order across calls and keeps the library's
 * idempotence sequence numbers in order; each call still resolves with its own offsets only.
 */
class CoalescingProducer implements KafkaProducer {
  readonly #connection: KafkaConnectionConfig;
  readonly #options: Required<Omit<ProducerOptions, 'compression'>> & Pick<ProducerOptions, 'compression'>;
  readonly #roundRobin = createRoundRobin();
  #client: LibraryProducer | undefined;
  #accepting = false;
  #queue: QueuedSend[] = [];
  /** The drain loop; `#drainActive` (not the promise) says whether it still runs, see #kickDrain. */
  #draining: Promise<void> = Promise.resolve();
  #drainActive = false;
  #stopping: Promise<void> | undefined;
  /** Starts at a random broker so the producers of several processes do not all begin on the first. */
  #clientsCreated = Math.floor(Math.random() * 1024);

  constructor(connection: KafkaConnectionConfig, options: ProducerOptions) {
    this.#connection = connection;
    this.#options = {
      lingerMs: options.lingerMs ?? 5,
      maxBatchSize: options.maxBatchSize ?? 1000,
      maxBatchBytes: options.maxBatchBytes ?? 512 * 1024,
      stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
      compression: options.compression,
    };
  }

  #newClient(): LibraryProducer {
    // The library refreshes metadata from the first bootstrap broker. With that broker down behind a
    // proxy that accepts connections and closes them, a client never learns of the others until the
    // delivery timeout replaces it (chaos campaign, broker-kill): start each client, and each
    // replacement, on the next broker, so one broker down stalls at most the clients that began on it.
    const brokers = rotate(this.#connection.brokers, this.#clientsCreated++);
    return new Producer({
      ...baseClientOptions({ ...this.#connection, brokers }),
      idempotent: true,
      acks: ProduceAcks.ALL,
      // A few quick retries inside the library (idempotence lets the broker drop the copies they may
      // create); past them #produceUntilAcknowledged sends again. Not more: the library retries a
      // request with the messages of every partition the destination broker led when it was built,
      // sent to the new leader of the first partition only, so once a paused or restarted broker's
      // leaderships have moved to different brokers, each retry is refused (NOT_LEADER_OR_FOLLOWER)
      // and it never ends (seen in the chaos campaign: a 6 s broker pause held a relay for the full
      // delivery timeout). A new send groups the messages by the current leaders.
      retries: libraryProduceRetries,
      ...(this.#options.compression ? { compression: this.#options.compression } : {}),
    });
  }

  async start(): Promise<void> {
    await this.#stopping;
    if (this.#client) return;
    const client = this.#newClient();
    try {
      await client.metadata({ topics: [], forceUpdate: true, retries: 3 });
    } catch (error) {
      await client.close(true).catch(() => undefined);
      throw toKafkaError('KAFKA_UNREACHABLE', 'Cannot reach Kafka', error);
    }
    this.#client = client;
    this.#accepting = true;
  }

  send(messages: OutgoingMessage[]): Promise<ProducedOffset[]> {
    if (!this.#accepting) {
      return Promise.reject(
        new KafkaError('KAFKA_PRODUCE_FAILED', 'Producer is not started', { retryable: true }),
      );
    }
    if (messages.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#queue.push({ messages, enqueuedAt: Date.now(), resolve, reject });
      this.#kickDrain();
    });
  }

  stop(): Promise<void> {
    if (!this.#client) return this.#stopping ?? Promise.resolve();
    this.#stopping ??= this.#performStop(this.#client).finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  async #performStop(client: LibraryProducer): Promise<void> {
    this.#accepting = false;
    await settlesWithin(this.#draining, this.#options.stopTimeoutMs);
    // Closing aborts the library's retry loops, so sends still in flight fail (retryable) now.
    await client.close(true).catch(() => undefined);
    await this.#draining;
    this.#client = undefined;
    for (const send of this.#queue.splice(0)) {
      send.reject(
        new KafkaError('KAFKA_PRODUCE_FAILED', 'Producer stopped before sending', { retryable: true }),
      );
    }
  }

  /**
   * Starts the drain loop unless it runs. The flag is cleared synchronously when the loop sees an
   * empty queue, so a send() queued at any later point starts a new loop; clearing it in a promise
   * callback instead would leave a window where a send is queued but no loop will ever take it.
   */
  #kickDrain(): void {
    if (this.#drainActive) return;
    this.#drainActive = true;
    this.#draining = this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0 && this.#client) {
        await this.#linger();
        const sends = takeSends(this.#queue, {
          maxMessages: this.#options.maxBatchSize,
          maxBytes: this.#options.maxBatchBytes,
        });
        await this.#produceSends(this.#client, sends);
      }
    } finally {
      this.#drainActive = false;
    }
  }

  /** Waits until the oldest queued call is lingerMs old, unless the next request is already full. */
  async #linger(): Promise<void> {
    const oldest = this.#queue[0];
    if (!oldest || queuedMessages(this.#queue) >= this.#options.maxBatchSize) return;
    const wait = oldest.enqueuedAt + this.#options.lingerMs - Date.now();
    if (wait > 0) await sleep(wait);
  }

  async #produceSends(client: LibraryProducer, sends: QueuedSend[]): Promise<void> {
    try {
      const offsets = await this.#withinDeliveryTimeout(
        client,
        this.#produceUntilAcknowledged(
          client,
          sends.flatMap((s) => s.messages),
        ),
      );
      const perSend = splitOffsets(sends, offsets);
      for (const [i, send] of sends.entries()) send.resolve(perSend[i] ?? []);
    } catch (error) {
      if (error instanceof KafkaError && error.code === 'KAFKA_DELIVERY_TIMEOUT') {
        for (const send of sends) send.reject(error);
        return;
      }
      const stopped = client.closed || isClientClosed(error);
      if (sends.length > 1 && !stopped) {
        // One bad call (unknown topic, invalid partition, oversized record) must not fail the calls it
        // was coalesced with: send each alone, in order. Such errors are found before anything is
        // written, except with several brokers, where a resend may duplicate what one of them took.
        for (const send of sends) await this.#produceSends(client, [send]);
        return;
      }
      const failure = stopped
        ? new KafkaError('KAFKA_PRODUCE_FAILED', 'Producer stopped before Kafka acknowledged the send', {
            cause: error,
            retryable: true,
          })
        : toKafkaError('KAFKA_PRODUCE_FAILED', 'Producing failed', error);
      for (const send of sends) send.reject(failure);
    }
  }

  /**
   * Fails a produce request that Kafka has not acknowledged within deliveryTimeoutMs, and replaces
   * the library client that sent it: its retry loop may never end (seen with a broker behind a
   * proxy that accepts connections and closes them while the broker is down), and one request in
   * flight at a time means nothing else would be sent meanwhile. What the old client still had in
   * flight may reach Kafka anyway: a duplicate record, which consumers' inboxes absorb.
   */
  async #withinDeliveryTimeout<T>(client: LibraryProducer, produce: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.#options.deliveryTimeoutMs;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (this.#client === client && this.#accepting) {
          this.#client = this.#newClient();
          void client.close(true).catch(() => undefined);
        }
        reject(
          new KafkaError(
            'KAFKA_DELIVERY_TIMEOUT',
            `Kafka did not acknowledge a produce request within ${timeoutMs} ms`,
            {
              retryable: true,
            },
          ),
        );
      }, timeoutMs);
    });
    try {
      return await Promise.race([produce, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Topic metadata, retried with backoff while Kafka is unreachable. Asked with few library retries
   * on purpose: the library also retries "unknown topic" forever, which would hang the caller.
   */
  async #metadata(client: LibraryProducer, topics: string[]): Promise<Metadata> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await client.metadata({ topics, retries: 3 });
      } catch (error) {
        if (client.closed || !isRetryable(error)) throw error;
        await sleep(backoffDelay(attempt, metadataBackoff));
      }
    }
  }

  /**
   * Sends the batch again while the failure is one that can pass (leader moved, broker restarting),
   * until it is acknowledged, the client is closed (stop(), or replaced at the delivery timeout) or
   * the error is not retryable. Partitions of a failed send that did reach Kafka are written twice
   * (the library starts a new producer id after a failure): copies the consumers' inboxes absorb.
   */
  async #produceUntilAcknowledged(
    client: LibraryProducer,
    messages: OutgoingMessage[],
  ): Promise<ProducedOffset[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#produce(client, messages);
      } catch (error) {
        if (client.closed || isClientClosed(error) || !isRetryable(error)) throw error;
        await sleep(backoffDelay(attempt, resendBackoff));
      }
    }
  }

  async #produce(client: LibraryProducer, messages: OutgoingMessage[]): Promise<ProducedOffset[]> {
    const metadata = await this.#metadata(client, [...new Set(messages.map((m) => m.topic))]);
    const placed = messages.map((message) => {
      const partitions = metadata.topics.get(message.topic)?.partitionsCount;
      if (!partitions) {
        throw new KafkaError('KAFKA_PRODUCE_FAILED', `Unknown topic ${message.topic}`, { retryable: false });
      }
      return toLibraryMessage(message, choosePartition(message, partitions, this.#roundRobin));
    });
    const result = await client.send({ messages: placed });
    return assignProducedOffsets(
      placed.map((m) => ({ topic: m.topic, partition: m.partition ?? 0 })),
      result.offsets ?? [],
    );
  }
}
