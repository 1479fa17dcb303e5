// The project's own small Kafka interface. Services, tools and tests depend on these types only;
// the implementation over @platformatic/kafka lives beside them and can be replaced.

/** How to reach a cluster. Security options are passed through to every client. */
export interface KafkaConnectionConfig {
  brokers: string[];
  clientId: string;
  /** SASL/SCRAM or PLAIN credentials; absent means no authentication. */
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
  /** TLS: true for system CAs, or PEM strings. Absent means plaintext. */
  tls?: boolean | { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
  /** Per-request timeout in ms (default 5000). */
  requestTimeoutMs?: number;
}

export type Headers = Record<string, string>;

export interface OutgoingMessage {
  topic: string;
  /** Messages with the same key go to the same partition and stay ordered. */
  key?: string;
  value: Buffer | string;
  headers?: Headers;
  /** Explicit partition; normally derived from the key. */
  partition?: number;
}

export interface ProducedOffset {
  topic: string;
  partition: number;
  offset: bigint;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | undefined;
  /** Raw bytes; parsing and validation are the handler's job, so a bad payload never crashes the runner. */
  value: Buffer;
  headers: Headers;
  /** Broker or producer timestamp, ms since epoch. */
  timestamp: number;
}

/** Producer: acks=all, idempotent, batching. */
export interface KafkaProducer {
  start(): Promise<void>;
  /** Resolves when every message is acknowledged by all in-sync replicas. */
  send(messages: OutgoingMessage[]): Promise<ProducedOffset[]>;
  stop(): Promise<void>;
}

export interface BatchContext {
  /** Aborted when the runner is asked to stop; a handler may use it to cut retries short. */
  signal: AbortSignal;
  /** 1 for the first attempt of this batch, then 2, 3, … when the runner retries it. */
  attempt: number;
}

/**
 * Handles one fetched batch (messages of one or more partitions, in offset order per partition).
 * Resolving means every message in it is done: the runner then commits, per partition, the offset
 * after the last message. Throwing means nothing is done: the runner does not commit and retries
 * the same batch with backoff (until stopped). Poison messages are the handler's to route.
 */
export type BatchHandler = (batch: IncomingMessage[], context: BatchContext) => Promise<void>;

export interface ConsumerRunnerOptions {
  connection: KafkaConnectionConfig;
  groupId: string;
  topics: string[];
  handler: BatchHandler;
  /** Upper bound of messages passed to one handler call (default 500). */
  maxBatchSize?: number;
  /** How long to wait to fill a batch once a first message arrived (default 10 ms). */
  maxBatchWaitMs?: number;
  /** Where a group with no committed offset starts (default 'earliest'). */
  startFrom?: 'earliest' | 'latest';
  /** KIP-848 'consumer' protocol (default) or 'classic'. */
  groupProtocol?: 'consumer' | 'classic';
  /** Backoff for handler retries: first delay and cap, ms (defaults 200 and 10000). */
  retryBackoffMs?: { initialMs: number; maxMs: number };
  /** Called on every handler failure and client error, for logs and metrics. */
  onError?: (error: unknown, info: { attempt: number; batchSize: number }) => void;
  /** Called after each successful commit. */
  onCommitted?: (offsets: ProducedOffset[]) => void;
}

export interface PartitionRef {
  topic: string;
  partition: number;
}

export interface ConsumerRunner {
  /** Joins the group and starts fetching; resolves once the group has been joined. */
  start(): Promise<void>;
  /** Stops fetching, lets the in-flight batch finish and commit, leaves the group. Idempotent. */
  stop(): Promise<void>;
  /** True while joined to the group (for readiness). */
  isJoined(): boolean;
  /** Partitions currently assigned to this member. */
  assignments(): PartitionRef[];
}

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Topic-level configs, e.g. { 'min.insync.replicas': '2', 'retention.ms': '…' }. */
  configs?: Record<string, string>;
}

export interface TopicDescription {
  name: string;
  partitions: {
    partition: number;
    leader: number;
    replicas: number[];
    isr: number[];
    earliestOffset: bigint;
    latestOffset: bigint;
  }[];
}

/** One config of a topic, as the broker describes it. */
export interface TopicConfigEntry {
  name: string;
  /** null when the broker does not reveal it (sensitive) or it has no value. */
  value: string | null;
  /** False only for a value set on the topic itself; broker-wide settings and Kafka's defaults are defaults. */
  isDefault: boolean;
  isSensitive: boolean;
  readOnly: boolean;
  /** Where the value comes from, Kafka's name: 'DYNAMIC_TOPIC_CONFIG', 'STATIC_BROKER_CONFIG', 'DEFAULT_CONFIG', … */
  source?: string;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  assignments: PartitionRef[];
}

export interface GroupDescription {
  groupId: string;
  /** e.g. 'Stable', 'Empty', 'Dead', 'PreparingRebalance', 'Assigning', 'Reconciling'. */
  state: string;
  protocol: 'consumer' | 'classic' | 'unknown';
  members: GroupMember[];
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Committed offset (next to read), or undefined if the group never committed this partition. */
  committedOffset: bigint | undefined;
  latestOffset: bigint;
  /** latestOffset - committed (or - earliest if never committed). */
  lag: bigint;
}

export type OffsetResetTarget =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  /** First offset whose timestamp is >= the given time, per partition (latest if none). */
  | { kind: 'timestamp'; timestamp: number }
  /** Explicit offsets. */
  | { kind: 'offsets'; offsets: { topic: string; partition: number; offset: bigint }[] };

export interface OffsetResetPlanEntry {
  topic: string;
  partition: number;
  /** The group's committed offset, undefined when it never committed on this partition. */
  currentOffset: bigint | undefined;
  newOffset: bigint;
  /** Records that will be (re-)read: latest - newOffset. */
  toRead: bigint;
  /** Records the group already consumed (before its committed offset) that it will read again. */
  reRead: bigint;
  /**
   * Records the group never consumed that it will now never read: from where it would have resumed
   * (its committed offset, or the earliest retained one when it has none — where this project's
   * consumers start) up to the new offset. Non-zero only when the reset moves the group forward.
   */
  skipped: bigint;
}

/** Failure-detection timings of a cluster (cluster-timings.ts). */
export interface ClusterTimings {
  /** Consumer-protocol groups: a silent member's partitions move after its session, at a heartbeat. */
  groups: { groupId: string; sessionTimeoutMs: number; heartbeatIntervalMs: number }[];
  /** The session a classic-protocol member may ask for: group.min/max.session.timeout.ms. */
  classicSessionMinMs: number;
  classicSessionMaxMs: number;
  /** broker.session.timeout.ms: a silent broker is fenced, and its leaderships move, after this. */
  brokerSessionTimeoutMs: number;
}

export interface KafkaAdmin {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Describes the cluster: a real round trip, used for readiness. */
  describeCluster(): Promise<{
    clusterId: string | undefined;
    brokers: { nodeId: number; host: string; port: number }[];
    controllerId: number | undefined;
  }>;
  /** Creates missing topics; existing ones are left as they are (idempotent). Returns the names created. */
  ensureTopics(topics: TopicSpec[]): Promise<string[]>;
  listTopics(options?: { includeInternal?: boolean }): Promise<string[]>;
  describeTopics(names: string[]): Promise<TopicDescription[]>;
  deleteTopics(names: string[]): Promise<void>;
  /** Every config of a topic, sorted by name. Throws KafkaError 'TOPIC_NOT_FOUND' for an unknown topic. */
  describeTopicConfig(topic: string): Promise<TopicConfigEntry[]>;
  /** The failure-detection timings the cluster applies to these groups (which need not exist yet). */
  describeClusterTimings(groupIds: string[]): Promise<ClusterTimings>;
  listGroups(): Promise<{ groupId: string; state: string; protocol: string }[]>;
  describeGroup(groupId: string): Promise<GroupDescription>;
  /** Committed offsets and lag of a group for the given topics (all subscribed topics with commits if omitted). */
  groupLag(groupId: string, topics?: string[]): Promise<PartitionLag[]>;
  /**
   * Resets a group's committed offsets for the given topics. Refuses (throws KafkaError with code
   * 'GROUP_NOT_EMPTY') while the group has members. With refuseSkips, also refuses (throws
   * OffsetResetSkipsError, code 'OFFSET_RESET_SKIPS', naming the partitions) a plan that would move
   * the group past records it never consumed. With dryRun, returns the plan and changes nothing.
   */
  resetGroupOffsets(
    groupId: string,
    topics: string[],
    target: OffsetResetTarget,
    options?: { dryRun?: boolean; refuseSkips?: boolean },
  ): Promise<OffsetResetPlanEntry[]>;
  /**
   * Reads up to `limit` messages of one partition starting at `fromOffset` (default: earliest),
   * without a consumer group (for DLQ listing, browsing, tests). Stops at the partition end.
   */
  readMessages(
    topic: string,
    options: { partition: number; fromOffset?: bigint; limit: number; timeoutMs?: number },
  ): Promise<IncomingMessage[]>;
}
