/**
 * Postgres' rate on this machine for the statement `POST /orders` runs (order rows + their outbox
 * rows in one CTE statement, same columns, indexes and NOTIFY trigger): copies of the two tables in a
 * scratch schema, N clients in a loop for a few seconds, with one order per statement (the intake at
 * low load: a commit per order) and with batches (the intake under load writes concurrent requests
 * together). Measured with the same node-postgres client the services use, and with pgbench too when
 * it is installed (no client overhead).
 */

import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_DATA } from '@kafka-poc/contracts';
import type pg from 'pg';
import { pgClient } from './pg-client.ts';

export interface PgRun {
  tool: 'node-postgres' | 'pgbench';
  clients: number;
  /** Orders per statement (absent in results from before batching: 1). */
  batch?: number;
  seconds: number;
  transactions: number;
  tps: number;
  command: string;
}

export interface PostgresBound {
  runs: PgRun[];
  /** The best statement (= transaction) rate of any run. */
  tps: number;
  /** The best orders/s of any run: the machine's bound for the intake (absent in older results: tps). */
  ordersPerSec?: number;
  statements: string[];
}

const SCHEMA = 'bench_bound';
const CHANNEL = 'bench_bound_outbox_new';

/** An order.created event of realistic size (the outbox value column holds the serialized event). */
export function sampleEvent(orderId: string): string {
  return JSON.stringify({
    id: randomUUID(),
    type: 'order.created',
    source: 'order-service',
    time: new Date().toISOString(),
    correlationId: randomUUID(),
    payload: {
      orderId,
      item: 'Headphones',
      quantity: 2,
      status: 'PENDING',
      createdAt: new Date().toISOString(),
    },
  });
}

/** The intake statement of order-service (order-repository.ts), on the scratch copies. */
const INSERT_ORDERS = `WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::jsonb[])
    WITH ORDINALITY AS t(id, item, quantity, correlation_id, event, headers, n)
), inserted AS (
  INSERT INTO ${SCHEMA}.orders (id, item, quantity, status, correlation_id)
  SELECT id, item, quantity, 'PENDING', correlation_id FROM input ORDER BY n
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id, created_at, updated_at
), events AS (
  INSERT INTO ${SCHEMA}.order_outbox (topic, key, value, headers)
  SELECT 'order-events', input.id::text, input.event, input.headers FROM input JOIN inserted USING (id) ORDER BY input.n
)
SELECT id, created_at, updated_at FROM inserted`;

/** The same statement for pgbench, the batch generated server-side. */
function pgbenchStatement(batch: number, value: string): string {
  return `WITH input AS (SELECT gen_random_uuid() AS id, n FROM generate_series(1, ${batch}) AS n),
  inserted AS (INSERT INTO ${SCHEMA}.orders (id, item, quantity, status, correlation_id)
    SELECT id, 'Headphones', 2, 'PENDING', gen_random_uuid()::text FROM input ORDER BY n
    ON CONFLICT (idempotency_key) DO NOTHING RETURNING id),
  events AS (INSERT INTO ${SCHEMA}.order_outbox (topic, key, value, headers)
    SELECT 'order-events', id::text, '${value}', '{"event-type":"order.created"}' FROM inserted)
  SELECT count(*) FROM inserted;`.replace(/\s+/g, ' ');
}

async function prepareSchema(client: pg.Client): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await client.query(`CREATE SCHEMA ${SCHEMA}`);
  // Same columns, defaults, identity, constraints and indexes as the real tables.
  // order-service's own tables (the administrator may read any schema; see check-data-ownership.ts).
  const source = SERVICE_DATA.order.schema;
  await client.query(`CREATE TABLE ${SCHEMA}.orders (LIKE ${source}.orders INCLUDING ALL)`);
  await client.query(`CREATE TABLE ${SCHEMA}.order_outbox (LIKE ${source}.order_outbox INCLUDING ALL)`);
  await client.query(`CREATE FUNCTION ${SCHEMA}.notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('${CHANNEL}', ''); RETURN NULL; END; $$`);
  await client.query(`CREATE TRIGGER notify AFTER INSERT ON ${SCHEMA}.order_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.notify()`);
}

async function nodeLoop(
  databaseUrl: string,
  clients: number,
  batch: number,
  seconds: number,
): Promise<PgRun> {
  const connections = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = pgClient(databaseUrl, 'bench-bound');
      await c.connect();
      return c;
    }),
  );
  let transactions = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const headers = JSON.stringify({ 'event-type': 'order.created' });
  try {
    await Promise.all(
      connections.map(async (c) => {
        while (performance.now() < deadline) {
          const ids = Array.from({ length: batch }, () => randomUUID());
          await c.query({
            name: 'bound_orders',
            text: INSERT_ORDERS,
            values: [
              ids,
              ids.map(() => 'Headphones'),
              ids.map(() => 2),
              ids.map(() => randomUUID()),
              ids.map((id) => sampleEvent(id)),
              ids.map(() => headers),
            ],
          });
          transactions++;
        }
      }),
    );
  } finally {
    await Promise.all(connections.map((c) => c.end().catch(() => undefined)));
  }
  const elapsed = (performance.now() - started) / 1000;
  return {
    tool: 'node-postgres',
    clients,
    batch,
    seconds: elapsed,
    transactions,
    tps: transactions / elapsed,
    command: `node-postgres loop, ${clients} connections, the intake statement prepared by name, ${batch} order(s) per statement`,
  };
}

/** Parses pgbench's "tps = 1234.56 (without initial connection time)". */
export function parsePgbenchTps(output: string): { tps: number; transactions: number } | undefined {
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1];
  const tx = /number of transactions actually processed: (\d+)/.exec(output)?.[1];
  if (tps === undefined) return undefined;
  return { tps: Number(tps), transactions: Number(tx ?? 0) };
}

function findPgbench(): Promise<string | undefined> {
  return new Promise((resolve) =>
    execFile('sh', ['-c', 'command -v pgbench'], (error, stdout) =>
      resolve(error ? undefined : stdout.trim()),
    ),
  );
}

async function pgbench(
  binary: string,
  databaseUrl: string,
  clients: number,
  batch: number,
  seconds: number,
): Promise<PgRun> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-pgbench-'));
  const script = join(dir, 'order.sql');
  const value = sampleEvent('00000000-0000-0000-0000-000000000000').replace(/'/g, "''");
  await writeFile(script, `${pgbenchStatement(batch, value)}\n`);
  const args = [
    '-n',
    '-M',
    'prepared',
    '-c',
    String(clients),
    '-j',
    '2',
    '-T',
    String(seconds),
    '-f',
    script,
    databaseUrl,
  ];
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (c: Buffer) => {
        text += c;
      });
      child.stderr.on('data', (c: Buffer) => {
        text += c;
      });
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`pgbench exited ${code}: ${text.slice(-1000)}`)),
      );
    });
    const parsed = parsePgbenchTps(output);
    if (!parsed) throw new Error(`no tps in pgbench output: ${output.slice(-1000)}`);
    return {
      tool: 'pgbench',
      clients,
      batch,
      seconds,
      transactions: parsed.transactions,
      tps: parsed.tps,
      command: `pgbench -n -M prepared -c ${clients} -j 2 -T ${seconds} -f order.sql (the same statement, ${batch} order(s) generated server-side)`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function measurePostgresBound(args: {
  databaseUrl: string;
  clients: number[];
  /** Orders per statement to measure (default 1 and 100). */
  batches?: number[];
  seconds: number;
  log: (message: string) => void;
}): Promise<PostgresBound> {
  const batches = args.batches ?? [1, 100];
  const admin = pgClient(args.databaseUrl);
  await admin.connect();
  const runs: PgRun[] = [];
  try {
    await prepareSchema(admin);
    const pgbenchBinary = await findPgbench();
    for (const batch of batches) {
      for (const clients of args.clients) {
        args.log(
          `postgres bound: node-postgres loop, ${clients} clients, ${batch}/statement, ${args.seconds} s`,
        );
        runs.push(await nodeLoop(args.databaseUrl, clients, batch, args.seconds));
        if (pgbenchBinary) {
          args.log(`postgres bound: pgbench, ${clients} clients, ${batch}/statement, ${args.seconds} s`);
          try {
            runs.push(await pgbench(pgbenchBinary, args.databaseUrl, clients, batch, args.seconds));
          } catch (error) {
            args.log(`postgres bound: pgbench failed: ${(error as Error).message}`);
          }
        }
      }
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await admin.end();
  }
  return {
    runs,
    tps: Math.max(0, ...runs.map((r) => r.tps)),
    ordersPerSec: Math.max(0, ...runs.map(runOrdersPerSec)),
    statements: [INSERT_ORDERS.replace(/\s+/g, ' ')],
  };
}

/** Orders/s of one run (runs from before batching wrote one order per transaction). */
export function runOrdersPerSec(run: PgRun): number {
  return run.tps * (run.batch ?? 1);
}
