import type { Pool } from '@kafka-poc/db';
import type { KafkaAdmin, KafkaProducer, OutgoingMessage } from '@kafka-poc/kafka';
import type pg from 'pg';
import type { OutboxRelayHooks } from '../src/index.ts';
import { outboxNotifyTriggerSql } from '../src/tables.ts';

// Shared by the relay's integration tests: an outbox table as the services' migrations create it,
// row helpers, and a log of what each relay did (state changes and every send, in order).

/** The outbox table with the services' indexes and NOTIFY trigger (as in their migrations). */
export async function createOutboxTable(pool: Pool | pg.ClientBase, table: string): Promise<void> {
  await pool.query(`CREATE TABLE ${table} (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, topic text NOT NULL, key text, value text NOT NULL,
    headers jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz)`);
  await pool.query(`CREATE INDEX ${table}_unsent_idx ON ${table} (id) WHERE sent_at IS NULL`);
  await pool.query(`CREATE INDEX ${table}_sent_idx ON ${table} (sent_at) WHERE sent_at IS NOT NULL`);
  for (const statement of outboxNotifyTriggerSql(table).split('--> statement-breakpoint')) {
    await pool.query(statement);
  }
}

/** Rows `{"n": …}` keyed `k-<n mod keys>`, inserted in n order (so ids follow n). */
export async function insertRows(
  client: pg.ClientBase | Pool,
  table: string,
  topic: string,
  numbers: number[],
  keys = 1_000_000,
): Promise<void> {
  await client.query(
    `INSERT INTO ${table} (topic, key, value, headers)
     SELECT $1, 'k-' || (n % $3), json_build_object('n', n)::text, '{"event-type":"test"}'
     FROM unnest($2::int[]) WITH ORDINALITY AS u(n, i) ORDER BY i`,
    [topic, numbers, keys],
  );
}

export async function unsentCount(pool: Pool, table: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE sent_at IS NULL`,
  );
  return rows[0]?.n ?? -1;
}

export interface ReadRecord {
  n: number;
  key: string;
  partition: number;
  offset: bigint;
}

export async function readAll(admin: KafkaAdmin, topic: string, partitions: number): Promise<ReadRecord[]> {
  const read: ReadRecord[] = [];
  for (let partition = 0; partition < partitions; partition++) {
    const messages = await admin.readMessages(topic, { partition, limit: 100_000 });
    for (const m of messages) {
      read.push({
        n: JSON.parse(m.value.toString()).n,
        key: m.key?.toString() ?? '',
        partition,
        offset: m.offset,
      });
    }
  }
  return read;
}

/**
 * Per key, the first time each row appears must be in row order (duplicates of a re-published batch
 * may come later; they are what the inboxes absorb). Returns the keys where that does not hold.
 */
export function keysOutOfOrder(read: ReadRecord[]): string[] {
  const byKey = new Map<string, number[]>();
  for (const r of [...read].sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0))) {
    const list = byKey.get(r.key) ?? [];
    if (!list.includes(r.n)) list.push(r.n);
    byKey.set(r.key, list);
  }
  return [...byKey].filter(([, ns]) => ns.some((n, i) => i > 0 && n < (ns[i - 1] ?? n))).map(([k]) => k);
}

export type RelayEvent =
  | { relay: string; at: number; kind: 'state'; state: string }
  | { relay: string; at: number; kind: 'acquired'; takeover: boolean; backendPid: number }
  | { relay: string; at: number; kind: 'lost'; reason: string }
  | { relay: string; at: number; kind: 'send'; numbers: number[] };

/** What every relay did, in the order it happened in this process. */
export class RelayEventLog {
  readonly events: RelayEvent[] = [];

  hooks(relay: string): OutboxRelayHooks {
    return {
      onStateChange: (state) => this.events.push({ relay, at: Date.now(), kind: 'state', state }),
      onLockAcquired: ({ takeover, backendPid }) =>
        this.events.push({ relay, at: Date.now(), kind: 'acquired', takeover, backendPid }),
      onLockLost: (reason) => this.events.push({ relay, at: Date.now(), kind: 'lost', reason }),
    };
  }

  /** The real producer, with each send logged when it is called (before the broker has it). */
  producer(relay: string, producer: KafkaProducer): KafkaProducer {
    return {
      start: () => producer.start(),
      stop: () => producer.stop(),
      send: (messages: OutgoingMessage[]) => {
        const numbers = messages.map((m) => JSON.parse(String(m.value)).n as number);
        this.events.push({ relay, at: Date.now(), kind: 'send', numbers });
        return producer.send(messages);
      },
    };
  }

  of(relay: string): RelayEvent[] {
    return this.events.filter((e) => e.relay === relay);
  }

  /** Sends a relay started after losing its lock and before getting it again: must be none. */
  sendsWithoutLock(relay: string): RelayEvent[] {
    let locked = false;
    const violations: RelayEvent[] = [];
    for (const e of this.of(relay)) {
      if (e.kind === 'acquired') locked = true;
      else if (e.kind === 'lost' || (e.kind === 'state' && e.state !== 'active')) locked = false;
      else if (e.kind === 'send' && !locked) violations.push(e);
    }
    return violations;
  }
}
