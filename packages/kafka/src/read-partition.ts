import {
  type Admin,
  type Consumer,
  FetchIsolationLevels,
  IS_CONTROL,
  type RecordsBatch,
} from '@platformatic/kafka';
import { errorChain } from './error-mapping.ts';
import { KafkaError } from './errors.ts';
import { headersToRecord } from './message-codec.ts';
import { EARLIEST, LATEST, listPartitionOffsets } from './partition-offsets.ts';
import type { IncomingMessage } from './types.ts';

export interface ReadOptions {
  partition: number;
  fromOffset?: bigint;
  limit: number;
  timeoutMs?: number;
}

type ReaderClient = Consumer<Buffer, Buffer, Buffer, Buffer>;

const defaultTimeoutMs = 10_000;

/**
 * Reads one partition from an offset with plain Fetch requests: no group is joined and nothing is
 * committed. Stops at `limit` records, at the partition end as it was when the read started, or
 * when the timeout is reached (returning what was read so far).
 */
export async function readPartition(
  admin: Admin,
  client: ReaderClient,
  topic: string,
  options: ReadOptions,
): Promise<IncomingMessage[]> {
  if (options.limit <= 0) return [];
  const deadline = Date.now() + (options.timeoutMs ?? defaultTimeoutMs);
  const { topicId, leader } = await partitionLeader(client, topic, options.partition);
  const ref = { topic, partition: options.partition };
  const [earliest, end] = await Promise.all([
    listPartitionOffsets(admin, [ref], EARLIEST),
    listPartitionOffsets(admin, [ref], LATEST),
  ]);
  const key = `${topic}:${options.partition}`;
  const first = earliest.get(key) ?? 0n;
  const last = end.get(key) ?? 0n;
  let offset = options.fromOffset === undefined || options.fromOffset < first ? first : options.fromOffset;
  const messages: IncomingMessage[] = [];
  while (messages.length < options.limit && offset < last && Date.now() < deadline) {
    const batches = await fetchBatches(client, leader, topicId, options.partition, offset, deadline);
    for (const batch of batches) {
      for (const message of decodeBatch(batch, topic, options.partition, offset)) {
        if (messages.length < options.limit) messages.push(message);
      }
      // Control batches (transaction markers) take offsets too: always move past the whole batch.
      const next = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
      if (next > offset) offset = next;
    }
  }
  return messages;
}

async function partitionLeader(
  client: ReaderClient,
  topic: string,
  partition: number,
): Promise<{ topicId: string; leader: number }> {
  const metadata = await client.metadata({ topics: [topic], forceUpdate: true }).catch((error: unknown) => {
    if (errorChain(error).some((e) => /^Unknown topic/.test(e.message))) {
      throw new KafkaError('TOPIC_NOT_FOUND', `Unknown topic ${topic}`, { cause: error, retryable: false });
    }
    throw error;
  });
  const topicMetadata = metadata.topics.get(topic);
  const leader = topicMetadata?.partitions[partition]?.leader;
  if (!topicMetadata || leader === undefined) {
    throw new KafkaError('INVALID_ARGUMENT', `Partition ${topic}:${partition} does not exist`, {
      retryable: false,
    });
  }
  return { topicId: topicMetadata.id, leader };
}

async function fetchBatches(
  client: ReaderClient,
  node: number,
  topicId: string,
  partition: number,
  offset: bigint,
  deadline: number,
): Promise<RecordsBatch[]> {
  const response = await client.fetch({
    node,
    maxWaitTime: Math.max(0, Math.min(500, deadline - Date.now())),
    minBytes: 1,
    maxBytes: 4 * 1024 * 1024,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    topics: [
      {
        topicId,
        partitions: [
          {
            partition,
            fetchOffset: offset,
            partitionMaxBytes: 1024 * 1024,
            currentLeaderEpoch: -1,
            lastFetchedEpoch: -1,
          },
        ],
      },
    ],
  });
  const result = response.responses.flatMap((t) => t.partitions).find((p) => p.partitionIndex === partition);
  return result?.records ?? [];
}

function decodeBatch(batch: RecordsBatch, topic: string, partition: number, from: bigint): IncomingMessage[] {
  if (batch.attributes & IS_CONTROL) return [];
  const messages: IncomingMessage[] = [];
  for (const record of batch.records) {
    const offset = batch.firstOffset + BigInt(record.offsetDelta);
    // A fetch returns whole batches, which can start before the requested offset.
    if (offset < from) continue;
    messages.push({
      topic,
      partition,
      offset,
      key: record.key ? record.key.toString('utf8') : undefined,
      value: record.value ?? Buffer.alloc(0),
      headers: headersToRecord(record.headers),
      timestamp: Number(batch.firstTimestamp + record.timestampDelta),
    });
  }
  return messages;
}
