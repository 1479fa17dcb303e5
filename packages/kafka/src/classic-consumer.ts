import {
  Admin,
  type CallbackWithPromise,
  Consumer,
  type ConsumerOptions,
  type ListCommitsOptions,
  type Offsets,
} from '@platformatic/kafka';
import { baseClientOptions } from './client-options.ts';
import type { KafkaConnectionConfig } from './types.ts';

type Options = ConsumerOptions<Buffer, Buffer, Buffer, Buffer>;

/**
 * A classic-protocol consumer whose committed-offset lookups carry no member id.
 *
 * The library sends a classic member's OffsetFetch with its member id and member epoch -1. A plain
 * classic group ignores both, but once a consumer-protocol member has joined (a rolling upgrade from
 * classic to the consumer protocol, half done, or half rolled back), the group is a consumer group
 * that checks a classic member's epoch and answers ILLEGAL_GENERATION, every time: each new stream
 * fails before its first fetch and the member's partitions stop until the upgrade completes (seen in
 * the chaos campaign; Kafka's own classic client sends no member id here). An admin client's lookup
 * (no member id, as `kafka-consumer-groups --describe` does) is accepted in either kind of group.
 * Commits keep the library's generation check, which is what fences a zombie member.
 */
export class ClassicConsumer extends Consumer<Buffer, Buffer, Buffer, Buffer> {
  readonly #connection: KafkaConnectionConfig;
  #admin: Admin | undefined;

  constructor(options: Options, connection: KafkaConnectionConfig) {
    super(options);
    this.#connection = connection;
  }

  override listCommittedOffsets(options: ListCommitsOptions, callback: CallbackWithPromise<Offsets>): void;
  override listCommittedOffsets(options: ListCommitsOptions): Promise<Offsets>;
  override listCommittedOffsets(
    options: ListCommitsOptions,
    callback?: CallbackWithPromise<Offsets>,
  ): undefined | Promise<Offsets> {
    const lookup = this.#committedOffsets(options);
    if (!callback) return lookup;
    lookup.then(
      (offsets) => callback(null, offsets),
      (error: Error) => callback(error, undefined as unknown as Offsets),
    );
    return undefined;
  }

  /** Closes the admin client behind the lookups (the consumer itself is closed as usual). */
  async closeOffsetReader(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    await admin?.close().catch(() => undefined);
  }

  async #committedOffsets(options: ListCommitsOptions): Promise<Offsets> {
    this.#admin ??= new Admin(baseClientOptions(this.#connection, 'offsets'));
    const groups = await this.#admin.listConsumerGroupOffsets({
      groups: [
        {
          groupId: this.groupId,
          topics: options.topics.map(({ topic, partitions }) => ({
            name: topic,
            partitionIndexes: partitions,
          })),
        },
      ],
    });
    // The library's shape: per topic, the committed offset at each partition's index (-1: none).
    const offsets: Offsets = new Map();
    for (const group of groups) {
      for (const topic of group.topics) {
        const byPartition = offsets.get(topic.name) ?? [];
        for (const { partitionIndex, committedOffset } of topic.partitions) {
          byPartition[partitionIndex] = committedOffset;
        }
        offsets.set(topic.name, byPartition);
      }
    }
    return offsets;
  }
}
