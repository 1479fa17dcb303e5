import type { IncomingMessage, KafkaAdmin, TopicDescription } from '@kafka-poc/kafka';
import { AppError } from '@kafka-poc/service-kit';
import { type MessageFilter, matchesFilter, newestFirst, oldestFirst } from './message-view.ts';
import { offsetsAtTime } from './offsets-at-time.ts';

export interface BrowseQuery {
  topic: string;
  /** One partition, or all. */
  partition?: number | undefined;
  /** Read forward from this offset (in each chosen partition). */
  offset?: bigint | undefined;
  /** Read forward from the first message at or after this time (ms since epoch). */
  timestamp?: number | undefined;
  /** Without offset/timestamp: the newest messages, or the oldest. */
  order: 'newest' | 'oldest';
  limit: number;
  filter: MessageFilter;
}

export interface BrowseResult {
  messages: IncomingMessage[];
  /** Messages read to find these (more than returned when a filter is set). */
  scanned: number;
  /** True when the scan budget ran out before `limit` matches were found. */
  partial: boolean;
  partitions: { partition: number; earliest: bigint; latest: bigint }[];
}

/** How many messages one browse reads at most per partition when a filter skips most of them. */
const SCAN_BUDGET = 5000;
const CHUNK = 500;

/**
 * Reads a topic without a consumer group: the newest messages (scanning back from the end in
 * chunks), or forward from the start, an offset or a time. Results of several partitions are
 * merged by timestamp.
 */
export async function browseMessages(
  admin: KafkaAdmin,
  clientId: string,
  query: BrowseQuery,
): Promise<BrowseResult> {
  const [description] = await admin.describeTopics([query.topic]);
  const partitions = choosePartitions(description, query.partition);
  let scanned = 0;
  let partial = false;
  const found: IncomingMessage[] = [];
  const forward = query.offset !== undefined || query.timestamp !== undefined || query.order === 'oldest';
  const starts =
    query.timestamp !== undefined
      ? await offsetsAtTime(admin, clientId, query.topic, query.timestamp)
      : new Map<number, bigint>();
  await Promise.all(
    partitions.map(async (p) => {
      const result = forward
        ? await readForward(admin, query, p, query.offset ?? starts.get(p.partition) ?? p.earliestOffset)
        : await readBackward(admin, query, p);
      scanned += result.scanned;
      partial ||= result.partial;
      found.push(...result.matches);
    }),
  );
  found.sort(forward ? oldestFirst : newestFirst);
  return {
    messages: found.slice(0, query.limit),
    scanned,
    partial,
    partitions: partitions.map((p) => ({
      partition: p.partition,
      earliest: p.earliestOffset,
      latest: p.latestOffset,
    })),
  };
}

type PartitionInfo = TopicDescription['partitions'][number];

function choosePartitions(description: TopicDescription | undefined, partition: number | undefined) {
  const all = description?.partitions ?? [];
  if (partition === undefined) return all;
  const chosen = all.find((p) => p.partition === partition);
  if (!chosen) {
    throw new AppError('VALIDATION_FAILED', `partition ${partition} does not exist (0-${all.length - 1})`, {
      fields: [{ field: 'querystring.partition', message: 'no such partition' }],
    });
  }
  return [chosen];
}

interface PartitionScan {
  matches: IncomingMessage[];
  scanned: number;
  partial: boolean;
}

async function readForward(
  admin: KafkaAdmin,
  query: BrowseQuery,
  p: PartitionInfo,
  from: bigint,
): Promise<PartitionScan> {
  const matches: IncomingMessage[] = [];
  let scanned = 0;
  let next = from < p.earliestOffset ? p.earliestOffset : from;
  while (matches.length < query.limit && next < p.latestOffset && scanned < SCAN_BUDGET) {
    const batch = await admin.readMessages(query.topic, {
      partition: p.partition,
      fromOffset: next,
      limit: Math.min(CHUNK, SCAN_BUDGET - scanned),
    });
    if (batch.length === 0) break;
    scanned += batch.length;
    for (const m of batch)
      if (matchesFilter(m, query.filter) && matches.length < query.limit) matches.push(m);
    next = (batch.at(-1)?.offset ?? next) + 1n;
  }
  return { matches, scanned, partial: matches.length < query.limit && next < p.latestOffset };
}

/**
 * The records of a partition in [max(end − size, earliest), end), oldest first, and where that chunk
 * starts: one step of reading a partition newest first (the browser's newest order, the audit page).
 */
export async function readChunkBefore(
  admin: KafkaAdmin,
  topic: string,
  p: Pick<PartitionInfo, 'partition' | 'earliestOffset'>,
  end: bigint,
  size: bigint,
): Promise<{ start: bigint; batch: IncomingMessage[] }> {
  const start = end - size > p.earliestOffset ? end - size : p.earliestOffset;
  const batch = (
    await admin.readMessages(topic, { partition: p.partition, fromOffset: start, limit: Number(end - start) })
  ).filter((m) => m.offset < end);
  return { start, batch };
}

async function readBackward(admin: KafkaAdmin, query: BrowseQuery, p: PartitionInfo): Promise<PartitionScan> {
  const matches: IncomingMessage[] = [];
  let scanned = 0;
  let end = p.latestOffset;
  const filtered = Boolean(query.filter.key || query.filter.text);
  while (matches.length < query.limit && end > p.earliestOffset && scanned < SCAN_BUDGET) {
    const want = BigInt(filtered ? CHUNK : Math.min(CHUNK, query.limit - matches.length));
    const { start, batch } = await readChunkBefore(admin, query.topic, p, end, want);
    scanned += batch.length;
    const hits = batch.filter((m) => matchesFilter(m, query.filter)).reverse();
    matches.push(...hits.slice(0, query.limit - matches.length));
    end = start;
  }
  return { matches, scanned, partial: matches.length < query.limit && end > p.earliestOffset };
}
