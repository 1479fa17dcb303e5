import { randomUUID } from 'node:crypto';
import { Admin, Consumer } from '@platformatic/kafka';
import { baseClientOptions } from './client-options.ts';
import { describeClusterTimings } from './cluster-timings.ts';
import { hasApiError, toKafkaError } from './error-mapping.ts';
import { KafkaError } from './errors.ts';
import { describeGroup } from './group-description.ts';
import {
  addTimestampOffsets,
  committedOffsets,
  groupByTopic,
  groupNotEmpty,
  partitionStates,
  topicOfKey,
} from './group-offsets.ts';
import { partitionLag, planOffsetReset, refuseSkips } from './offset-reset-plan.ts';
import { EARLIEST, LATEST, listPartitionOffsets } from './partition-offsets.ts';
import { type ReadOptions, readPartition } from './read-partition.ts';
import { createTopic, partitionRefs, topicMetadata, waitForLeaders } from './topic-admin.ts';
import { describeTopicConfig } from './topic-config.ts';
import type {
  ClusterTimings,
  GroupDescription,
  IncomingMessage,
  KafkaAdmin,
  KafkaConnectionConfig,
  OffsetResetPlanEntry,
  OffsetResetTarget,
  PartitionLag,
  TopicConfigEntry,
  TopicDescription,
  TopicSpec,
} from './types.ts';

export function createAdmin(connection: KafkaConnectionConfig): KafkaAdmin {
  return new ClusterAdmin(connection);
}

type ReaderClient = Consumer<Buffer, Buffer, Buffer, Buffer>;

class ClusterAdmin implements KafkaAdmin {
  readonly #connection: KafkaConnectionConfig;
  #admin: Admin | undefined;
  #reader: ReaderClient | undefined;

  constructor(connection: KafkaConnectionConfig) {
    this.#connection = connection;
  }

  async start(): Promise<void> {
    if (this.#admin) return;
    const admin = new Admin(baseClientOptions(this.#connection, 'admin'));
    try {
      await admin.metadata({ topics: [], forceUpdate: true, retries: 3 });
    } catch (error) {
      await admin.close().catch(() => undefined);
      throw toKafkaError('KAFKA_UNREACHABLE', 'Cannot reach Kafka', error);
    }
    this.#admin = admin;
  }

  async stop(): Promise<void> {
    const admin = this.#admin;
    const reader = this.#reader;
    this.#admin = undefined;
    this.#reader = undefined;
    await Promise.all([admin?.close(), reader?.close(true)].map((p) => p?.catch(() => undefined)));
  }

  describeCluster(): ReturnType<KafkaAdmin['describeCluster']> {
    return this.#run('KAFKA_UNREACHABLE', 'Describing the cluster failed', async (admin) => {
      const metadata = await admin.metadata({ topics: [], forceUpdate: true });
      return {
        clusterId: metadata.id || undefined,
        brokers: [...metadata.brokers].map(([nodeId, { host, port }]) => ({ nodeId, host, port })),
        controllerId: metadata.controllerId >= 0 ? metadata.controllerId : undefined,
      };
    });
  }

  describeClusterTimings(groupIds: string[]): Promise<ClusterTimings> {
    return this.#run('KAFKA_ADMIN_FAILED', "Reading the cluster's group timings failed", (admin) =>
      describeClusterTimings(admin, groupIds),
    );
  }

  ensureTopics(topics: TopicSpec[]): Promise<string[]> {
    return this.#run('KAFKA_ADMIN_FAILED', 'Creating topics failed', async (admin) => {
      const existing = new Set(await admin.listTopics({ includeInternals: true }));
      const missing = topics.filter((t) => !existing.has(t.name));
      const created = await Promise.all(missing.map((spec) => createTopic(admin, spec)));
      const names = missing.filter((_, i) => created[i]).map((t) => t.name);
      await waitForLeaders(
        admin,
        missing.map((t) => t.name),
      );
      return names;
    });
  }

  listTopics(options?: { includeInternal?: boolean }): Promise<string[]> {
    return this.#run('KAFKA_ADMIN_FAILED', 'Listing topics failed', async (admin) =>
      (await admin.listTopics({ includeInternals: options?.includeInternal ?? false })).sort(),
    );
  }

  describeTopics(names: string[]): Promise<TopicDescription[]> {
    return this.#run('KAFKA_ADMIN_FAILED', 'Describing topics failed', async (admin) => {
      const metadata = await topicMetadata(admin, names);
      const refs = names.flatMap((name) => partitionRefs(metadata, name));
      const [earliest, latest] = await Promise.all([
        listPartitionOffsets(admin, refs, EARLIEST),
        listPartitionOffsets(admin, refs, LATEST),
      ]);
      return names.map((name) => ({
        name,
        partitions: (metadata.topics.get(name)?.partitions ?? []).map((p, partition) => ({
          partition,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          earliestOffset: earliest.get(`${name}:${partition}`) ?? 0n,
          latestOffset: latest.get(`${name}:${partition}`) ?? 0n,
        })),
      }));
    });
  }

  deleteTopics(names: string[]): Promise<void> {
    return this.#run('KAFKA_ADMIN_FAILED', 'Deleting topics failed', async (admin) => {
      const existing = new Set(await admin.listTopics());
      const present = names.filter((n) => existing.has(n));
      if (present.length === 0) return;
      try {
        await admin.deleteTopics({ topics: present });
      } catch (error) {
        // Deleting is idempotent: a topic removed concurrently is fine.
        if (!hasApiError(error, 'UNKNOWN_TOPIC_OR_PARTITION') && !hasApiError(error, 'UNKNOWN_TOPIC_ID'))
          throw error;
      }
    });
  }

  describeTopicConfig(topic: string): Promise<TopicConfigEntry[]> {
    return this.#run('KAFKA_ADMIN_FAILED', `Describing the config of topic ${topic} failed`, (admin) =>
      describeTopicConfig(admin, topic),
    );
  }

  listGroups(): Promise<{ groupId: string; state: string; protocol: string }[]> {
    return this.#run('KAFKA_ADMIN_FAILED', 'Listing groups failed', async (admin) => {
      // The library lists only 'classic' groups unless told otherwise.
      const groups = await admin.listGroups({ types: ['classic', 'consumer'] });
      return [...groups.values()]
        .map((g) => ({ groupId: g.id, state: g.state, protocol: g.groupType ?? g.protocolType }))
        .sort((a, b) => a.groupId.localeCompare(b.groupId));
    });
  }

  describeGroup(groupId: string): Promise<GroupDescription> {
    return this.#run('KAFKA_ADMIN_FAILED', `Describing group ${groupId} failed`, (admin) =>
      describeGroup(admin, groupId),
    );
  }

  groupLag(groupId: string, topics?: string[]): Promise<PartitionLag[]> {
    return this.#run('KAFKA_ADMIN_FAILED', `Computing lag of group ${groupId} failed`, async (admin) => {
      const committed = await committedOffsets(admin, groupId);
      const existing = new Set(await admin.listTopics());
      // Without a topic list: every topic the group committed on that still exists.
      const names =
        topics ?? [...new Set([...committed.keys()].map(topicOfKey))].filter((t) => existing.has(t));
      const states = await partitionStates(admin, names, committed);
      return states.map((s) => ({
        topic: s.topic,
        partition: s.partition,
        committedOffset: s.committed,
        latestOffset: s.latest,
        lag: partitionLag(s.committed, s.earliest, s.latest),
      }));
    });
  }

  resetGroupOffsets(
    groupId: string,
    topics: string[],
    target: OffsetResetTarget,
    options?: { dryRun?: boolean; refuseSkips?: boolean },
  ): Promise<OffsetResetPlanEntry[]> {
    return this.#run('KAFKA_ADMIN_FAILED', `Resetting offsets of group ${groupId} failed`, async (admin) => {
      const group = await describeGroup(admin, groupId);
      if (group.members.length > 0) throw groupNotEmpty(groupId, group.members.length);
      const states = await partitionStates(admin, topics, await committedOffsets(admin, groupId));
      if (target.kind === 'timestamp') await addTimestampOffsets(admin, states, target.timestamp);
      const plan = planOffsetReset(states, target);
      if (options?.dryRun || plan.length === 0) return plan;
      if (options?.refuseSkips) refuseSkips(groupId, plan);
      try {
        await admin.alterConsumerGroupOffsets({ groupId, topics: groupByTopic(plan) });
      } catch (error) {
        // A member joined between the check and the commit: the coordinator refuses an admin commit then.
        if (hasApiError(error, 'UNKNOWN_MEMBER_ID') || hasApiError(error, 'NON_EMPTY_GROUP')) {
          throw groupNotEmpty(groupId, undefined, error);
        }
        throw error;
      }
      return plan;
    });
  }

  readMessages(topic: string, options: ReadOptions): Promise<IncomingMessage[]> {
    return this.#run('KAFKA_ADMIN_FAILED', `Reading ${topic}:${options.partition} failed`, (admin) =>
      readPartition(admin, this.#readerClient(), topic, options),
    );
  }

  /** The reader is a Consumer only for its Fetch support; it never joins its (random) group. */
  #readerClient(): ReaderClient {
    this.#reader ??= new Consumer({
      ...baseClientOptions(this.#connection, 'reader'),
      groupId: `${this.#connection.clientId}-reader-${randomUUID()}`,
      autocommit: false,
    });
    return this.#reader;
  }

  async #run<T>(
    code: KafkaError['code'],
    message: string,
    operation: (admin: Admin) => Promise<T>,
  ): Promise<T> {
    const admin = this.#admin;
    if (!admin) throw new KafkaError('INVALID_ARGUMENT', 'Admin is not started', { retryable: false });
    try {
      return await operation(admin);
    } catch (error) {
      // Our own errors (GROUP_NOT_EMPTY, TOPIC_NOT_FOUND, …) already say what went wrong.
      if (error instanceof KafkaError) throw error;
      throw toKafkaError(code, message, error);
    }
  }
}
