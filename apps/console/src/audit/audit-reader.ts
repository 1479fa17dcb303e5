import { type AuditRecord, auditRecord } from '@kafka-poc/contracts';
import type { KafkaAdmin } from '@kafka-poc/kafka';
import { readChunkBefore } from '../kafka/message-browser.ts';

export interface AuditQuery {
  topic: string;
  limit: number;
  /** Where the previous page stopped (AuditPage.nextCursor); absent: from the newest record. */
  cursor?: string | undefined;
  /** Case-insensitive substring of the actor / of `METHOD route`. */
  actor?: string | undefined;
  route?: string | undefined;
}

export interface AuditPage {
  records: AuditRecord[];
  /** Pass it as `cursor` for the next (older) page; null when there is nothing older. */
  nextCursor: string | null;
  /** Records read to find these (more than returned with a filter). */
  scanned: number;
  /** Records on the topic that are not audit records (never written by us: the console refuses it). */
  invalid: number;
}

/** Records read per partition per page at most when a filter skips most of them. */
const SCAN_BUDGET = 2000;
const CHUNK = 200;

/**
 * Reads the audit topic newest first, a page at a time, without a consumer group. The cursor holds,
 * per partition, the offset below which the next page reads (`0:123,1:45`). The services create the
 * topic with one partition; more are read and merged by time. Copies (a producer retry) are dropped
 * by record id within a page.
 */
export async function readAuditPage(admin: KafkaAdmin, query: AuditQuery): Promise<AuditPage> {
  const [description] = (await admin.listTopics()).includes(query.topic)
    ? await admin.describeTopics([query.topic])
    : [];
  if (!description) return { records: [], nextCursor: null, scanned: 0, invalid: 0 };
  const cursor = parseCursor(query.cursor);
  let scanned = 0;
  let invalid = 0;
  const perPartition = await Promise.all(
    description.partitions.map(async (p) => {
      const matches: { record: AuditRecord; offset: bigint; timestamp: number }[] = [];
      const from = cursor.get(p.partition);
      const startedAt = from !== undefined && from < p.latestOffset ? from : p.latestOffset;
      let end = startedAt;
      let partScanned = 0;
      while (matches.length < query.limit && end > p.earliestOffset && partScanned < SCAN_BUDGET) {
        const { start, batch } = await readChunkBefore(admin, query.topic, p, end, BigInt(CHUNK));
        partScanned += batch.length;
        for (const m of batch.reverse()) {
          const parsed = parse(m.value);
          if (!parsed) invalid += 1;
          else if (matches.length < query.limit && matchesQuery(parsed, query))
            matches.push({ record: parsed, offset: m.offset, timestamp: m.timestamp });
        }
        end = start;
        if (batch.length === 0) break;
      }
      scanned += partScanned;
      return { partition: p.partition, matches, startedAt, scannedDownTo: end, earliest: p.earliestOffset };
    }),
  );
  const merged = perPartition
    .flatMap((p) => p.matches.map((m) => ({ ...m, partition: p.partition })))
    .sort((a, b) => b.timestamp - a.timestamp || b.record.at.localeCompare(a.record.at));
  const page = merged.slice(0, query.limit);
  const next = new Map<number, bigint>();
  for (const p of perPartition) {
    const included = page.filter((m) => m.partition === p.partition);
    // Every record this partition scanned was looked at and its matches all went into the page:
    // go on below what it scanned. Otherwise below the last record shown (or from where it started).
    const exhausted = p.matches.length < query.limit && included.length === p.matches.length;
    const nextEnd = exhausted ? p.scannedDownTo : (included.at(-1)?.offset ?? p.startedAt);
    if (nextEnd > p.earliest) next.set(p.partition, nextEnd);
  }
  const seen = new Set<string>();
  const records: AuditRecord[] = [];
  for (const { record } of page) {
    if (seen.has(record.id)) continue;
    seen.add(record.id);
    records.push(record);
  }
  return {
    records,
    nextCursor: next.size > 0 ? formatCursor(next) : null,
    scanned,
    invalid,
  };
}

function parse(value: Buffer): AuditRecord | undefined {
  try {
    const result = auditRecord.safeParse(JSON.parse(value.toString('utf8')));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

function matchesQuery(record: AuditRecord, query: AuditQuery): boolean {
  const has = (text: string, needle: string | undefined) =>
    !needle || text.toLowerCase().includes(needle.toLowerCase());
  return has(record.actor, query.actor) && has(`${record.method} ${record.route}`, query.route);
}

export function parseCursor(text: string | undefined): Map<number, bigint> {
  const cursor = new Map<number, bigint>();
  for (const part of (text ?? '').split(',')) {
    const match = /^(\d{1,6}):(\d{1,19})$/.exec(part.trim());
    if (match) cursor.set(Number(match[1]), BigInt(match[2] ?? '0'));
  }
  return cursor;
}

export function formatCursor(cursor: Map<number, bigint>): string {
  return [...cursor.entries()]
    .sort(([a], [b]) => a - b)
    .map(([p, o]) => `${p}:${o}`)
    .join(',');
}
