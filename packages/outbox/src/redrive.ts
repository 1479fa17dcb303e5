import { asDeadLetterTopic, HEADERS, isDeadLetterTopic, originalTopic } from '@kafka-poc/contracts';
import type { IncomingMessage, KafkaAdmin, KafkaProducer, OutgoingMessage } from '@kafka-poc/kafka';
import { ServiceError } from '@kafka-poc/resilience';

// Redrive: put dead letters back on their original topic. One definition for the CLI and the console.

export type RedriveErrorCode = 'NOT_A_DEAD_LETTER_TOPIC' | 'DEAD_LETTER_NOT_FOUND' | 'ORIGINAL_TOPIC_MISSING';

export class RedriveError extends ServiceError<RedriveErrorCode> {
  constructor(code: RedriveErrorCode, message: string) {
    super(code, message, { retryable: false });
  }
}

/**
 * The message that puts a dead letter back on its original topic: same key, value and headers,
 * without the dlq-* ones, plus `dlq-redriven-from` naming the letter. Consumers are idempotent, so
 * a letter redriven twice has one effect; one that is still invalid goes back to the DLT.
 */
export function redriveMessage(letter: IncomingMessage): OutgoingMessage {
  const headers = Object.fromEntries(Object.entries(letter.headers).filter(([k]) => !k.startsWith('dlq-')));
  headers[HEADERS.dlqRedrivenFrom] = `${letter.topic}:${letter.partition}:${letter.offset}`;
  // The letter's own header wins; the dead-letter topic's name says it too.
  const byName = originalTopic(letter.topic) ?? letter.topic;
  const target = letter.headers[HEADERS.dlqOriginalTopic] ?? byName;
  return {
    topic: isDeadLetterTopic(target) ? byName : target,
    ...(letter.key !== undefined ? { key: letter.key } : {}),
    value: letter.value,
    headers,
  };
}

export interface RedrivePartition {
  partition: number;
  /** Earliest and end offset of the partition when the run started: the letters it considered. */
  first: bigint;
  end: bigint;
  redriven: number;
  /** Where a redrive of all stopped: the first offset of this partition not redriven (end when all were). */
  next: bigint;
}

export interface RedriveReport {
  topic: string;
  redriven: number;
  /** Original topics the letters went to. */
  targets: string[];
  /** Letters present at the start that were not redriven (not selected, or beyond the limit). */
  leftBehind: number;
  /** Letters that arrived in the dead-letter topic while the run went on (not redriven). */
  arrived: number;
  /** Per partition of the dead-letter topic (redrive all; empty for one letter). */
  partitions: RedrivePartition[];
  /** Set when the run stopped early (a send failed): what was counted as redriven was acknowledged. */
  stoppedBy?: string;
}

export interface RedriveAllOptions {
  /** At most this many letters, the oldest first across partitions (default: all). */
  limit?: number | undefined;
  /** Letters read and published per round (default 500). */
  pageSize?: number;
}

interface Cursor extends RedrivePartition {
  buffer: IncomingMessage[];
  exhausted: boolean;
}

/**
 * Redrives the letters a dead-letter topic holds when the run starts, oldest first, in pages: each
 * page is acknowledged by the broker before the next is read, so the report's counts are exact and
 * a crash leaves at most one page published twice (harmless: consumers are idempotent). Letters
 * arriving meanwhile are left for the next run and counted.
 */
export async function redriveAll(
  admin: KafkaAdmin,
  producer: KafkaProducer,
  topic: string,
  options: RedriveAllOptions = {},
): Promise<RedriveReport> {
  const dlt = asDeadLetterTopic(topic);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const pageSize = options.pageSize ?? 500;
  const cursors = await startCursors(admin, dlt);
  const targets = new Set<string>();
  let redriven = 0;
  let stoppedBy: string | undefined;
  while (redriven < limit) {
    await refill(admin, dlt, cursors, Math.min(pageSize, limit - redriven));
    const page = oldestFirst(cursors, Math.min(pageSize, limit - redriven));
    if (page.length === 0) break;
    const messages = page.map(redriveMessage);
    try {
      await requireTopics(admin, messages);
      await producer.send(messages);
    } catch (error) {
      // Refused before anything moved: say so plainly. Later, the report says how far it got.
      if (error instanceof RedriveError && redriven === 0) throw error;
      stoppedBy = error instanceof Error ? error.message : String(error);
      break;
    }
    for (const letter of page) advance(cursors, letter);
    for (const m of messages) targets.add(m.topic);
    redriven += page.length;
  }
  // Per partition the redriven letters are the first ones, so what is left is what follows them.
  const leftBehind = cursors.reduce((sum, c) => sum + Number(c.end - c.next), 0);
  return report(admin, dlt, cursors, { redriven, leftBehind, targets, stoppedBy });
}

/** Redrives the one letter at partition:offset of a dead-letter topic. */
export async function redriveOne(
  admin: KafkaAdmin,
  producer: KafkaProducer,
  topic: string,
  at: { partition: number; offset: bigint },
): Promise<RedriveReport> {
  const dlt = asDeadLetterTopic(topic);
  const cursors = await startCursors(admin, dlt);
  const cursor = cursors.find((c) => c.partition === at.partition);
  const [letter] = cursor
    ? await admin.readMessages(dlt, { partition: at.partition, fromOffset: at.offset, limit: 1 })
    : [];
  if (!cursor || !letter || letter.offset !== at.offset) {
    throw new RedriveError('DEAD_LETTER_NOT_FOUND', `no dead letter at ${dlt}:${at.partition}:${at.offset}`);
  }
  const message = redriveMessage(letter);
  await requireTopics(admin, [message]);
  await producer.send([message]);
  const present = cursors.reduce((sum, c) => sum + Number(c.end - c.first), 0);
  const run = {
    redriven: 1,
    leftBehind: present - 1,
    targets: new Set([message.topic]),
    stoppedBy: undefined,
  };
  const { partitions: _, ...counts } = await report(admin, dlt, cursors, run);
  return { ...counts, partitions: [] };
}

async function startCursors(admin: KafkaAdmin, dlt: string): Promise<Cursor[]> {
  const [description] = await admin.describeTopics([dlt]);
  return (description?.partitions ?? []).map((p) => ({
    partition: p.partition,
    first: p.earliestOffset,
    end: p.latestOffset,
    next: p.earliestOffset,
    redriven: 0,
    buffer: [],
    exhausted: p.earliestOffset >= p.latestOffset,
  }));
}

/** Reads the next letters of every partition whose buffer ran empty, up to the run's start end. */
async function refill(admin: KafkaAdmin, dlt: string, cursors: Cursor[], want: number): Promise<void> {
  await Promise.all(
    cursors
      .filter((c) => c.buffer.length === 0 && !c.exhausted)
      .map(async (c) => {
        const from = c.next;
        const read = await admin.readMessages(dlt, { partition: c.partition, fromOffset: from, limit: want });
        c.buffer = read.filter((m) => m.offset < c.end);
        // Nothing left before the end (or the read timed out with nothing): this partition is done.
        if (c.buffer.length === 0 || c.buffer.length < read.length) c.exhausted = true;
        // Retention may have removed letters meanwhile: the partition starts later than it did.
        const firstRead = c.buffer[0]?.offset;
        if (firstRead !== undefined && firstRead > from && c.redriven === 0) c.next = firstRead;
      }),
  );
}

/** Up to `count` buffered letters, oldest first across partitions (per partition in offset order). */
function oldestFirst(cursors: Cursor[], count: number): IncomingMessage[] {
  const heads = cursors.map(() => 0);
  const page: IncomingMessage[] = [];
  while (page.length < count) {
    let pick = -1;
    for (const [i, c] of cursors.entries()) {
      const candidate = c.buffer[heads[i] ?? 0];
      const best = pick >= 0 ? cursors[pick]?.buffer[heads[pick] ?? 0] : undefined;
      if (candidate && (!best || candidate.timestamp < best.timestamp)) pick = i;
    }
    if (pick < 0) break;
    const letter = cursors[pick]?.buffer[heads[pick] ?? 0];
    if (letter) page.push(letter);
    heads[pick] = (heads[pick] ?? 0) + 1;
  }
  return page;
}

function advance(cursors: Cursor[], letter: IncomingMessage): void {
  const cursor = cursors.find((c) => c.partition === letter.partition);
  if (!cursor) return;
  cursor.buffer.shift();
  cursor.redriven += 1;
  cursor.next = letter.offset + 1n;
}

async function requireTopics(admin: KafkaAdmin, messages: OutgoingMessage[]): Promise<void> {
  const wanted = [...new Set(messages.map((m) => m.topic))];
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    throw new RedriveError('ORIGINAL_TOPIC_MISSING', `original topic ${missing.join(', ')} does not exist`);
  }
}

async function report(
  admin: KafkaAdmin,
  dlt: string,
  cursors: Cursor[],
  run: { redriven: number; leftBehind: number; targets: Set<string>; stoppedBy: string | undefined },
): Promise<RedriveReport> {
  const [now] = await admin.describeTopics([dlt]);
  const endNow = new Map((now?.partitions ?? []).map((p) => [p.partition, p.latestOffset]));
  const partitions = cursors.map(({ partition, first, end, redriven, next }) => ({
    partition,
    first,
    end,
    redriven,
    next,
  }));
  // The DLT is written by an idempotent, non-transactional producer: one offset is one letter.
  const arrived = partitions.reduce(
    (sum, p) => sum + Math.max(0, Number((endNow.get(p.partition) ?? p.end) - p.end)),
    0,
  );
  return {
    topic: dlt,
    redriven: run.redriven,
    targets: [...run.targets].sort(),
    leftBehind: Math.max(0, run.leftBehind),
    arrived,
    partitions,
    ...(run.stoppedBy !== undefined ? { stoppedBy: run.stoppedBy } : {}),
  };
}
