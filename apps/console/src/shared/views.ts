// What the console's API answers: one definition for the server that builds these answers (its
// handlers are typed with them) and the browser pages that read them. Types only: the browser
// imports them with `import type`, so nothing here is ever loaded by it. The services' own answers,
// which the console passes through, come from their contracts (@kafka-poc/contracts/http).
import type {
  InventoryItemResponse,
  inventoryListResponse,
  NotificationResponse,
  notificationListResponse,
  OrderResponse,
  orderListResponse,
  Problem,
} from '@kafka-poc/contracts/http';
import type { z } from 'zod';

// ── Passed through from the services ────────────────────────────────────────────────────────────

export type Order = OrderResponse;
export type OrderList = z.infer<typeof orderListResponse>;
export type Notification = NotificationResponse;
export type NotificationList = z.infer<typeof notificationListResponse>;
export type InventoryItem = InventoryItemResponse;
export type InventoryList = z.infer<typeof inventoryListResponse>;
/** RFC 9457 problem details: every error of the console's API and of the services. */
export type { Problem };

// ── Session and the app (GET /api/session, /api/info, /api/status) ─────────────────────────────

export interface SessionView {
  authRequired: boolean;
  authenticated: boolean;
  readOnly: boolean;
}

export interface TopicDefaults {
  partitions: number;
  replicationFactor: number;
}

export interface AppInfo {
  readOnly: boolean;
  topics: { orderEvents: string; inventoryEvents: string };
  groups: { order: string; inventory: string; notification: string };
  topicDefaults: TopicDefaults;
  lagSampleMs: number;
}

export interface DependencyCheck {
  ok: boolean;
  detail: string;
}

export type StatusView = Record<
  'kafka' | 'database' | 'order-service' | 'inventory-service' | 'notification-service',
  DependencyCheck
>;

// ── Cluster and topics ──────────────────────────────────────────────────────────────────────────

export interface PartitionView {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  earliestOffset: string;
  latestOffset: string;
  /** latest - earliest: exact for plain topics; an upper bound with compaction or transaction markers. */
  messages: number;
  /** Some replica is not in sync. */
  underReplicated: boolean;
}

export interface TopicView {
  name: string;
  partitionCount: number;
  replicationFactor: number;
  messages: number;
  underReplicated: number;
  internal: boolean;
  deadLetter: boolean;
  partitions: PartitionView[];
}

export interface ClusterView {
  clusterId: string | null;
  controllerId: number | null;
  brokers: { nodeId: number; host: string; port: number }[];
  topicDefaults: TopicDefaults;
  topics: TopicView[];
}

export interface TopicConfigEntry {
  name: string;
  /** null when the broker does not reveal it (sensitive) or it has no value. */
  value: string | null;
  isDefault: boolean;
  isSensitive: boolean;
  readOnly: boolean;
  source: string | null;
}

/** A topic's configs, the ones set on the topic first (GET /api/topics/:topic/config). */
export interface TopicConfigView {
  name: string;
  configs: TopicConfigEntry[];
}

// ── Messages ────────────────────────────────────────────────────────────────────────────────────

/** A message as the browser sees it: offsets as strings (JSON has no 64-bit integers). */
export interface MessageView {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  key: string | null;
  headers: Record<string, string>;
  /** UTF-8 text, or base64 when the bytes are not valid UTF-8. */
  value: string;
  encoding: 'utf8' | 'base64';
  size: number;
  truncated: boolean;
}

/** GET /api/topics/:topic/messages */
export interface BrowseView {
  topic: string;
  messages: MessageView[];
  /** Messages read to find these (more than returned when a filter is set). */
  scanned: number;
  /** True when the scan budget ran out before `limit` matches were found. */
  partial: boolean;
  partitions: { partition: number; earliestOffset: string; latestOffset: string }[];
}

/** POST /api/topics/:topic/messages */
export interface ProducedView {
  topic: string;
  partition: number | null;
  offset: string | null;
}

/** The server-sent events of GET /api/topics/:topic/tail, by event name. */
export interface TailEvents {
  ready: { topic: string; positions: Record<string, string> };
  message: MessageView;
  skipped: { partition: number; count: number };
  problem: { detail: string };
}

// ── Consumer groups ─────────────────────────────────────────────────────────────────────────────

/** GET /api/groups: one row per group (members and lag null when the group could not be described). */
export interface GroupSummary {
  groupId: string;
  state: string;
  protocol: string;
  members: number | null;
  topics: string[];
  totalLag: number | null;
}

export interface GroupPartitionView {
  topic: string;
  partition: number;
  /** Next offset to read, as a string; null when the group never committed this partition. */
  committedOffset: string | null;
  latestOffset: string;
  lag: number;
  /** Member (client id) the partition is assigned to, or null. */
  owner: string | null;
}

export interface GroupView {
  groupId: string;
  state: string;
  protocol: string;
  members: { memberId: string; clientId: string; host: string; assignments: string[] }[];
  partitions: GroupPartitionView[];
  totalLag: number;
  /** Offsets can be reset only without members. */
  resettable: boolean;
}

export interface LagSample {
  /** ms since epoch */
  t: number;
  total: number;
  byTopic: Record<string, number>;
}

/** GET /api/groups/:id/lag-history */
export interface LagHistoryView {
  groupId: string;
  /** Between samples while the console is in use. */
  intervalMs: number;
  /** Between samples while nobody has used the console for a minute. */
  idleIntervalMs: number;
  samples: LagSample[];
}

/** POST /api/groups/:id/reset-offsets: what was (or, with dryRun, would be) reset. */
/** One partition of an offset reset: where the group is, where it goes, what that does. */
export interface ResetPlanEntryView {
  topic: string;
  partition: number;
  /** The committed offset; null when the group never committed here (it would start at the earliest). */
  currentOffset: string | null;
  newOffset: string;
  /** Records read from the new offset on (latest − new offset). */
  toRead: number;
  /** Records the group already consumed that it reads again (a rewind). */
  reRead: number;
  /** Records the group never consumed that it will never read (a skip: refused without allowSkip). */
  skipped: number;
}

export interface ResetPlanView {
  groupId: string;
  dryRun: boolean;
  plan: ResetPlanEntryView[];
  /** Totals over the plan. */
  reRead: number;
  skipped: number;
}

/** The 409 problem of a reset refused because it would skip unconsumed records (code OFFSET_RESET_SKIPS). */
export type ResetSkipsProblem = Problem & { skips?: ResetPlanEntryView[] };

// ── Dead letters ────────────────────────────────────────────────────────────────────────────────

export interface DeadLetterTopicView {
  topic: string;
  originalTopic: string;
  messages: number;
}

/** What the error headers say about a dead letter. */
export interface DeadLetterInfo {
  originalTopic: string;
  originalPartition: number | null;
  originalOffset: string | null;
  error: string | null;
  attempts: number | null;
  consumerGroup: string | null;
  failedAt: string | null;
  /** Set when this letter is itself a redriven one that failed again. */
  redrivenFrom: string | null;
}

export interface DeadLetterView extends MessageView {
  deadLetter: DeadLetterInfo;
}

/** GET /api/dead-letters/:topic */
export interface DeadLettersView {
  topic: string;
  letters: DeadLetterView[];
}

/** POST /api/dead-letters/:topic/redrive */
export interface RedriveView {
  topic: string;
  redriven: number;
  targets: string[];
  /** Letters still in the dead-letter topic: not selected, beyond the limit, or arrived meanwhile. */
  leftUnread: number;
}

// ── Order flow ──────────────────────────────────────────────────────────────────────────────────

export interface FlowPoint {
  /** Bucket start, ms since epoch. */
  t: number;
  /** Orders accepted per second in the bucket. */
  accepted: number;
  /** Orders decided (CONFIRMED or REJECTED) per second in the bucket. */
  decided: number;
  /** Accepted → decided, ms (median and 95th percentile of the bucket's decisions). */
  p50Ms: number | null;
  p95Ms: number | null;
}

/** GET /api/flow/stats */
export interface FlowStats {
  bucketMs: number;
  windowMs: number;
  series: FlowPoint[];
  /** Over the last minute. */
  lastMinute: {
    acceptedPerSecond: number;
    decidedPerSecond: number;
    decisionP50Ms: number | null;
    decisionP95Ms: number | null;
    /** Accepted → notification stored. */
    notificationP50Ms: number | null;
    notificationP95Ms: number | null;
  };
  pending: number;
}

export interface Hop {
  step: string;
  service: string;
  /** ISO time, or null while the hop has not happened. */
  at: string | null;
  /** ms since the order was accepted. */
  sinceAcceptedMs: number | null;
  /** ms since the previous hop that happened. */
  sincePreviousMs: number | null;
  detail: string;
}

/** GET /api/orders/:id/timeline */
export interface Timeline {
  order: {
    id: string;
    item: string;
    quantity: number;
    status: string;
    reason: string | null;
    createdAt: string;
  };
  hops: Hop[];
  /** Accepted → last hop reached, ms. */
  elapsedMs: number;
  complete: boolean;
}
