/**
 * Postgres' commit rate on this machine for transactions shaped like `POST /orders` (one order row +
 * one outbox row, same columns, indexes and NOTIFY trigger): copies of the two tables in a scratch
 * schema, N clients committing in a loop for a few seconds. Measured with the same node-postgres
 * client the services use, and with pgbench too when it is installed (no client overhead).
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { pgClient } from './pg-client.ts';

export interface PgRun {
  tool: 'node-postgres' | 'pgbench';
  clients: number;
  seconds: number;
  transactions: number;
  tps: number;
  command: string;
}

export interface PostgresBound {
  runs: PgRun[];
  /** The best rate of any run: the machine's bound for this transaction shape. */
  tps: number;
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

const INSERT_ORDER = `INSERT INTO ${SCHEMA}.orders (id, item, quantity, status, correlation_id)
  VALUES ($1, $2, $3, 'PENDING', $4) RETURNING *`;
const INSERT_OUTBOX = `INSERT INTO ${SCHEMA}.order_outbox (topic, key, value, headers) VALUES ($1, $2, $3, $4)`;

async function prepareSchema(client: pg.Client): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await client.query(`CREATE SCHEMA ${SCHEMA}`);
  // Same columns, defaults, identity, constraints and indexes as the real tables.
  await client.query(`CREATE TABLE ${SCHEMA}.orders (LIKE public.orders INCLUDING ALL)`);
  await client.query(`CREATE TABLE ${SCHEMA}.order_outbox (LIKE public.order_outbox INCLUDING ALL)`);
  await client.query(`CREATE FUNCTION ${SCHEMA}.notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('${CHANNEL}', ''); RETURN NULL; END; $$`);
  await client.query(`CREATE TRIGGER notify AFTER INSERT ON ${SCHEMA}.order_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.notify()`);
}

async function nodeLoop(databaseUrl: string, clients: number, seconds: number): Promise<PgRun> {
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
  try {
    await Promise.all(
      connections.map(async (c) => {
        while (performance.now() < deadline) {
          const id = randomUUID();
          await c.query('BEGIN');
          await c.query({
            name: 'bound_order',
            text: INSERT_ORDER,
            values: [id, 'Headphones', 2, randomUUID()],
          });
          await c.query({
            name: 'bound_outbox',
            text: INSERT_OUTBOX,
            values: ['order-events', id, sampleEvent(id), JSON.stringify({ 'event-type': 'order.created' })],
          });
          await c.query('COMMIT');
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
    seconds: elapsed,
    transactions,
    tps: transactions / elapsed,
    command: `node-postgres loop, ${clients} connections, named prepared statements: BEGIN; insert order RETURNING *; insert outbox row; COMMIT`,
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
  seconds: number,
): Promise<PgRun> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-pgbench-'));
  const script = join(dir, 'order.sql');
  const value = sampleEvent('00000000-0000-0000-0000-000000000000').replace(/'/g, "''");
  await writeFile(
    script,
    [
      'BEGIN;',
      `INSERT INTO ${SCHEMA}.orders (id, item, quantity, status, correlation_id) VALUES (gen_random_uuid(), 'Headphones', 2, 'PENDING', gen_random_uuid()::text) RETURNING *;`,
      `INSERT INTO ${SCHEMA}.order_outbox (topic, key, value, headers) VALUES ('order-events', gen_random_uuid()::text, '${value}', '{"event-type":"order.created"}');`,
      'END;',
      '',
    ].join('\n'),
  );
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
      seconds,
      transactions: parsed.transactions,
      tps: parsed.tps,
      command: `pgbench -n -M prepared -c ${clients} -j 2 -T ${seconds} -f order.sql (same two inserts in one transaction)`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function measurePostgresBound(args: {
  databaseUrl: string;
  clients: number[];
  seconds: number;
  log: (message: string) => void;
}): Promise<PostgresBound> {
  const admin = pgClient(args.databaseUrl);
  await admin.connect();
  const runs: PgRun[] = [];
  try {
    await prepareSchema(admin);
    const pgbenchBinary = await findPgbench();
    for (const clients of args.clients) {
      args.log(`postgres bound: node-postgres loop, ${clients} clients, ${args.seconds} s`);
      runs.push(await nodeLoop(args.databaseUrl, clients, args.seconds));
      if (pgbenchBinary) {
        args.log(`postgres bound: pgbench, ${clients} clients, ${args.seconds} s`);
        try {
          runs.push(await pgbench(pgbenchBinary, args.databaseUrl, clients, args.seconds));
        } catch (error) {
          args.log(`postgres bound: pgbench failed: ${(error as Error).message}`);
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
    statements: [INSERT_ORDER.replace(/\s+/g, ' '), INSERT_OUTBOX],
  };
}
