import { randomUUID } from 'node:crypto';
import { Admin, Consumer } from '@platformatic/kafka';
import { sleep } from './backoff.ts';
import { baseClientOptions } from './client-options.ts';
import { hasApiError, toKafkaError } from './error-mapping.ts';
import { KafkaError } from './errors.ts';
import { describeGroup } from './group-description.ts';
import { type PartitionState, partitionLag, planOffsetReset } from './offset-reset-plan.ts';
import { EARLIEST, LATEST, listPartitionOffsets } from './partition-offsets.ts';
import { type ReadOptions, readPartition } from './read-partition.ts';
import type {
  GroupDescription,
  IncomingMessage,
  KafkaAdmin,
  KafkaConnectionConfig,
  OffsetResetPlanEntry,
  OffsetResetTarget,
  PartitionLag,
  PartitionRef,
  TopicDescription,
  TopicSpec,
} from './types.ts';

export function createAdmin(connection: KafkaConnectionConfig): KafkaAdmin {
  return new ClusterAdmin(connection);
}

type ReaderClient = Consumer<Buffer, Buffer, Buffer, Buffer>;

/** How long ensureTopics waits for new topics to have a leader everywhere, so producing right after works. */
const topicReadyTimeoutMs = 15_000;

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
      const names = topics ?? [...new Set([...committed.keys()].map(topicOfKey))];
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
    options?: { dryRun?: boolean },
  ): Promise<OffsetResetPlanEntry[]> {
    return this.#run('KAFKA_ADMIN_FAILED', `Resetting offsets of group ${groupId} failed`, async (admin) => {
      const group = await describeGroup(admin, groupId);
      if (group.members.length > 0) throw groupNotEmpty(groupId, group.members.length);
      const states = await partitionStates(admin, topics, await committedOffsets(admin, groupId));
      if (target.kind === 'timestamp') await addTimestampOffsets(admin, states, target.timestamp);
      const plan = planOffsetReset(states, target);
      if (options?.dryRun || plan.length === 0) return plan;
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

/** Creates one topic (each needs its own request: configs are per request in the library); false if it already existed. */
async function createTopic(admin: Admin, spec: TopicSpec): Promise<boolean> {
  try {
    await admin.createTopics({
      topics: [spec.name],
      partitions: spec.partitions,
      replicas: spec.replicationFactor,
      configs: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
    });
    return true;
  } catch (error) {
    // Two services starting at once both see the topic missing; the loser of the race is fine.
    if (hasApiError(error, 'TOPIC_ALREADY_EXISTS')) return false;
    throw error;
  }
}

async function waitForLeaders(admin: Admin, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const deadline = Date.now() + topicReadyTimeoutMs;
  while (Date.now() < deadline) {
    try {
      const metadata = await admin.metadata({ topics: names, forceUpdate: true, retries: 0 });
      const ready = names.every((n) => {
        const partitions = metadata.topics.get(n)?.partitions ?? [];
        return partitions.length > 0 && partitions.every((p) => p && p.leader >= 0);
      });
      if (ready) return;
    } catch {
      // Not in the metadata yet.
    }
    await sleep(100);
  }
  throw new KafkaError('KAFKA_ADMIN_FAILED', `Topics ${names.join(', ')} have no leader yet`, {
    retryable: true,
  });
}

type Metadata = Awaited<ReturnType<Admin['metadata']>>;

async function topicMetadata(admin: Admin, names: string[]): Promise<Metadata> {
  const existing = new Set(await admin.listTopics({ includeInternals: true }));
  const unknown = names.filter((n) => !existing.has(n));
  if (unknown.length > 0) {
    throw new KafkaError('TOPIC_NOT_FOUND', `Unknown topic(s): ${unknown.join(', ')}`, { retryable: false });
  }
  return admin.metadata({ topics: names, forceUpdate: true });
}

function partitionRefs(metadata: Metadata, topic: string): PartitionRef[] {
  const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
  return Array.from({ length: count }, (_, partition) => ({ topic, partition }));
}

/** Committed offsets of a group, keyed "topic:partition"; partitions never committed are absent. */
async function committedOffsets(admin: Admin, groupId: string): Promise<Map<string, bigint>> {
  const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
  const committed = new Map<string, bigint>();
  for (const topic of group?.topics ?? []) {
    for (const p of topic.partitions) {
      if (p.committedOffset >= 0n) committed.set(`${topic.name}:${p.partitionIndex}`, p.committedOffset);
    }
  }
  return committed;
}

function topicOfKey(key: string): string {
  return key.slice(0, key.lastIndexOf(':'));
}

async function partitionStates(
  admin: Admin,
  topics: string[],
  committed: Map<string, bigint>,
): Promise<PartitionState[]> {
  if (topics.length === 0) return [];
  const metadata = await topicMetadata(admin, topics);
  const refs = topics.flatMap((name) => partitionRefs(metadata, name));
  const [earliest, latest] = await Promise.all([
    listPartitionOffsets(admin, refs, EARLIEST),
    listPartitionOffsets(admin, refs, LATEST),
  ]);
  return refs.map(({ topic, partition }) => {
    const key = `${topic}:${partition}`;
    return {
      topic,
      partition,
      earliest: earliest.get(key) ?? 0n,
      latest: latest.get(key) ?? 0n,
      committed: committed.get(key),
    };
  });
}

async function addTimestampOffsets(admin: Admin, states: PartitionState[], timestamp: number): Promise<void> {
  const found = await listPartitionOffsets(admin, states, BigInt(timestamp));
  for (const state of states) {
    const offset = found.get(`${state.topic}:${state.partition}`);
    state.atTimestamp = offset !== undefined && offset >= 0n ? offset : undefined;
  }
}

function groupByTopic(
  plan: OffsetResetPlanEntry[],
): { name: string; partitionOffsets: { partition: number; offset: bigint }[] }[] {
  const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
  for (const { topic, partition, newOffset } of plan) {
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition, offset: newOffset }]);
  }
  return [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets }));
}

function groupNotEmpty(groupId: string, members: number | undefined, cause?: unknown): KafkaError {
  const count = members === undefined ? '' : ` (${members} member${members === 1 ? '' : 's'})`;
  return new KafkaError('GROUP_NOT_EMPTY', `Group ${groupId} has active members${count}; stop them first`, {
    cause,
    retryable: false,
  });
}
