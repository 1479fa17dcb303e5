import { deadLetterTopic, decodeEvent, inventoryEvent, orderEvent } from '@kafka-poc/contracts';
import type { IncomingMessage, KafkaAdmin } from '@kafka-poc/kafka';

export interface Topics {
  orderEvents: string;
  inventoryEvents: string;
}

/** What the two topics hold, per order: the events the checker counts (no service is asked). */
export interface EventLog {
  /** Order id → the distinct order.created event ids on order-events. */
  created: Map<string, Set<string>>;
  /** Order id → distinct decision event id → its type (inventory.reserved | inventory.rejected). */
  decisions: Map<string, Map<string, string>>;
  /**
   * Order id → distinct status event id → its type (order.confirmed, order.rejected, order.cancelled,
   * order.expired), in the order of the topic (one key, one partition).
   */
  statuses: Map<string, Map<string, string>>;
  /** Order id → the distinct inventory.released event ids. */
  releases: Map<string, Set<string>>;
  records: { orderEvents: number; inventoryEvents: number };
  /** Records whose event id occurred earlier on the topic: a producer retry or a relay re-publish wrote them. */
  copies: { orderEvents: number; inventoryEvents: number };
  /** Records on the main topics that are not valid events (nothing in this system writes one). */
  invalid: string[];
}

/** What the dead-letter topics hold: every record, and those that are valid events (must be none). */
export interface DeadLetterLog {
  records: number;
  /** "topic:partition@offset event-type id" of each record that decodes as a valid event. */
  valid: string[];
}

const CHUNK = 20_000;

/** Reads both topics from the start to their current end, partition by partition, in chunks. */
export async function readEventLog(admin: KafkaAdmin, topics: Topics): Promise<EventLog> {
  const log: EventLog = {
    created: new Map(),
    decisions: new Map(),
    statuses: new Map(),
    releases: new Map(),
    records: { orderEvents: 0, inventoryEvents: 0 },
    copies: { orderEvents: 0, inventoryEvents: 0 },
    invalid: [],
  };
  const seen = new Set<string>();
  await readTopic(admin, topics.orderEvents, (m) => {
    log.records.orderEvents += 1;
    const decoded = decodeEvent(orderEvent, m.value);
    if (!decoded.ok) return void log.invalid.push(`${where(m)} ${decoded.error}`);
    const { id, type, payload } = decoded.event;
    if (seen.has(id)) log.copies.orderEvents += 1;
    seen.add(id);
    if (type === 'order.created') addTo(log.created, payload.orderId, id);
    else addType(log.statuses, payload.orderId, id, type);
  });
  seen.clear();
  await readTopic(admin, topics.inventoryEvents, (m) => {
    log.records.inventoryEvents += 1;
    const decoded = decodeEvent(inventoryEvent, m.value);
    if (!decoded.ok) return void log.invalid.push(`${where(m)} ${decoded.error}`);
    const { id, type, payload } = decoded.event;
    if (seen.has(id)) log.copies.inventoryEvents += 1;
    seen.add(id);
    if (type === 'inventory.released') addTo(log.releases, payload.orderId, id);
    else addType(log.decisions, payload.orderId, id, type);
  });
  return log;
}

/** Reads both dead-letter topics (missing ones count as empty) and decodes every record. */
export async function readDeadLetters(admin: KafkaAdmin, topics: Topics): Promise<DeadLetterLog> {
  const result: DeadLetterLog = { records: 0, valid: [] };
  const existing = new Set(await admin.listTopics());
  for (const [topic, schema] of [
    [deadLetterTopic(topics.orderEvents), orderEvent],
    [deadLetterTopic(topics.inventoryEvents), inventoryEvent],
  ] as const) {
    if (!existing.has(topic)) continue;
    await readTopic(admin, topic, (m) => {
      result.records += 1;
      const decoded = decodeEvent(schema, m.value);
      if (decoded.ok) result.valid.push(`${where(m)} ${decoded.event.type} ${decoded.event.id}`);
    });
  }
  return result;
}

async function readTopic(
  admin: KafkaAdmin,
  topic: string,
  onRecord: (message: IncomingMessage) => void,
): Promise<void> {
  const [description] = await admin.describeTopics([topic]);
  for (const p of description?.partitions ?? []) {
    let offset = p.earliestOffset;
    let emptyReads = 0;
    while (offset < p.latestOffset) {
      const chunk = await admin.readMessages(topic, {
        partition: p.partition,
        fromOffset: offset,
        limit: CHUNK,
        timeoutMs: 60_000,
      });
      const last = chunk.at(-1);
      if (!last) {
        // A read can come back empty (a leader moving, a slow broker): retry before calling it an error.
        emptyReads += 1;
        if (emptyReads >= 5) {
          throw new Error(`reading ${topic}:${p.partition} stalled at offset ${offset} of ${p.latestOffset}`);
        }
        continue;
      }
      emptyReads = 0;
      for (const message of chunk) onRecord(message);
      offset = last.offset + 1n;
    }
  }
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  map.set(key, (map.get(key) ?? new Set<string>()).add(value));
}

/** Keeps the first position of an event id (a copy later on the topic does not move it). */
function addType(map: Map<string, Map<string, string>>, orderId: string, id: string, type: string): void {
  const byId = map.get(orderId) ?? new Map<string, string>();
  if (!byId.has(id)) byId.set(id, type);
  map.set(orderId, byId);
}

function where(m: IncomingMessage): string {
  return `${m.topic}:${m.partition}@${m.offset}`;
}
