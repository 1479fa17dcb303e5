import { sleep } from '@kafka-poc/resilience';
import pg from 'pg';
import type { FaultContext, FaultDefinition } from './types.ts';

const CLAIM = 'postgres';

async function connect(ctx: FaultContext): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: ctx.stack.databaseUrl,
    application_name: 'chaos-nemesis',
    connectionTimeoutMillis: 5000,
  });
  // A connection Postgres drops must not crash the campaign (pg emits 'error', and without a listener
  // that is an uncaught exception): it is logged, and the fault's own query fails instead.
  client.on('error', (error) =>
    ctx.log(`  nemesis session to Postgres lost: ${error.message.split('\n')[0]}`),
  );
  await client.connect();
  return client;
}

async function release(client: pg.Client): Promise<void> {
  await client.query('ROLLBACK').catch(() => undefined);
  await client.end().catch(() => undefined);
}

/** Fast shutdown (as `pg_ctl stop -m fast`): every connection is cut; started again later. */
export const pgRestart: FaultDefinition = {
  kind: 'pg-restart',
  plan: (ctx, busy) => {
    if (busy.has(CLAIM)) return undefined;
    const ms = ctx.random.between(2000, 12_000);
    return {
      target: 'postgres',
      detail: `fast shutdown, started ${(ms / 1000).toFixed(1)} s later`,
      claims: [CLAIM],
      durationMs: ms,
      inject: async () => {
        await ctx.stack.postgres.stop();
        return {
          heal: async () => {
            const started = Date.now();
            await ctx.stack.postgres.start();
            return `accepting connections ${Date.now() - started} ms after its start`;
          },
        };
      },
    };
  },
};

/** What a held lock blocks, and the statement that takes it. */
const LOCKS = [
  {
    target: 'inventory rows',
    sql: 'SELECT item FROM inventory ORDER BY item FOR UPDATE',
    blocks: 'stock reservations',
  },
  {
    target: 'pending orders rows',
    sql: `SELECT id FROM orders WHERE status = 'PENDING' ORDER BY id FOR UPDATE`,
    blocks: 'order status changes',
  },
  {
    target: 'order_outbox table',
    sql: 'LOCK TABLE order_outbox IN EXCLUSIVE MODE',
    blocks: 'POST /orders and its relay',
  },
  {
    target: 'inventory_outbox table',
    sql: 'LOCK TABLE inventory_outbox IN EXCLUSIVE MODE',
    blocks: 'reservations and their relay',
  },
  {
    target: 'notifications table',
    sql: 'LOCK TABLE notifications IN EXCLUSIVE MODE',
    blocks: 'notifications',
  },
] as const;

/** A session holds row or table locks past the services' statement timeout, then rolls back. */
export const lockHold: FaultDefinition = {
  kind: 'lock-hold',
  plan: (ctx, busy) => {
    if (busy.has(CLAIM)) return undefined;
    const lock = ctx.random.pick(LOCKS);
    const ms = ctx.statementTimeoutMs + ctx.random.between(1000, 8000);
    return {
      target: lock.target,
      detail: `held ${(ms / 1000).toFixed(1)} s (statement timeout ${ctx.statementTimeoutMs / 1000} s); blocks ${lock.blocks}`,
      claims: [CLAIM],
      durationMs: ms,
      inject: async () => {
        const client = await connect(ctx);
        try {
          await client.query('BEGIN');
          await client.query(`SET LOCAL lock_timeout = '10s'`);
          const { rowCount } = await client.query(lock.sql);
          return {
            note: rowCount ? `${rowCount} rows locked` : 'locked',
            heal: async () => {
              await release(client);
              return undefined;
            },
          };
        } catch (error) {
          await release(client);
          throw error;
        }
      },
    };
  },
};

const SLOW_TABLES = ['orders', 'reservations', 'notifications', 'order_inbox', 'inventory_outbox'] as const;

/**
 * Slow statements: a trigger installed for a while sleeps in every INSERT or UPDATE statement on a
 * table, up to a bound that is sometimes beyond the statement timeout (which then cancels them).
 */
export const slowStatements: FaultDefinition = {
  kind: 'slow-statements',
  plan: (ctx, busy) => {
    if (busy.has(CLAIM)) return undefined;
    const table = ctx.random.pick(SLOW_TABLES);
    const maxSleepMs = ctx.random.between(500, ctx.statementTimeoutMs + 3000);
    const ms = ctx.random.between(5000, 20_000);
    return {
      target: `${table} writes`,
      detail: `each INSERT/UPDATE statement sleeps up to ${(maxSleepMs / 1000).toFixed(1)} s, for ${(ms / 1000).toFixed(1)} s`,
      claims: [CLAIM],
      durationMs: ms,
      inject: async () => {
        const client = await connect(ctx);
        try {
          await client.query(`SET lock_timeout = '10s'`);
          await client.query(
            `CREATE OR REPLACE FUNCTION chaos_slow() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN PERFORM pg_sleep(random() * ${maxSleepMs / 1000}); RETURN NULL; END $$`,
          );
          await client.query(
            `CREATE TRIGGER chaos_slow BEFORE INSERT OR UPDATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION chaos_slow()`,
          );
        } catch (error) {
          await client.end().catch(() => undefined);
          throw error;
        }
        return {
          heal: async () => {
            // Dropping waits for the statements sleeping in it; retry until it is gone. A session
            // that failed (Postgres dropped it, or a lock wait timed out) is replaced by a new one.
            let session: pg.Client | undefined = client;
            for (let attempt = 1; ; attempt++) {
              try {
                session ??= await connect(ctx);
                await session.query(`SET lock_timeout = '30s'`);
                await session.query(`DROP TRIGGER IF EXISTS chaos_slow ON ${table}`);
                await session.end().catch(() => undefined);
                return attempt > 1 ? `removed at attempt ${attempt}` : undefined;
              } catch (error) {
                await session?.end().catch(() => undefined);
                session = undefined;
                if (attempt >= 5) throw error;
                await sleep(1000);
              }
            }
          },
        };
      },
    };
  },
};

/**
 * A deadlock with a reservation batch: the nemesis locks the item that sorts last, waits until a
 * batch (which locks its items in sorted order) blocks on it, then asks for the items that batch
 * already holds. The nemesis session has a long deadlock_timeout, so Postgres aborts the batch's
 * transaction with 40P01 (deadlock_detected), which the service must retry, not dead-letter.
 */
export const deadlock: FaultDefinition = {
  kind: 'deadlock',
  plan: (ctx, busy) => {
    if (busy.has(CLAIM)) return undefined;
    return {
      target: 'inventory rows',
      detail: 'lock the last item, wait for a blocked batch, then lock the others',
      claims: [CLAIM],
      durationMs: 0,
      inject: async () => {
        const client = await connect(ctx);
        try {
          const before = await deadlocks(client);
          await client.query('BEGIN');
          await client.query(`SET LOCAL deadlock_timeout = '30s'`);
          await client.query(`SET LOCAL lock_timeout = '15s'`);
          const items = (
            await client.query<{ item: string }>('SELECT item FROM inventory ORDER BY item')
          ).rows.map((r) => r.item);
          const last = items.at(-1);
          await client.query('SELECT item FROM inventory WHERE item = $1 FOR UPDATE', [last]);
          const blocked = await waitForBlocked(client, 10_000, ctx.signal);
          if (!blocked)
            return {
              note: 'no transaction blocked on the lock within 10 s: no deadlock',
              heal: async () => void (await release(client)),
            };
          let victim = 'the service';
          try {
            await client.query('SELECT item FROM inventory WHERE item <> $1 ORDER BY item FOR UPDATE', [
              last,
            ]);
          } catch (error) {
            victim = `the nemesis (${(error as Error).message})`;
          }
          await client.query('ROLLBACK').catch(() => undefined);
          // Statistics reach pg_stat_database within about a second.
          await sleep(1500);
          const detected = (await deadlocks(client)) - before;
          const outcome =
            detected > 0
              ? `deadlock detected, victim: ${victim}`
              : 'no deadlock (the blocked batch held none of the other rows)';
          await client.end().catch(() => undefined);
          return { note: outcome, heal: async () => undefined };
        } catch (error) {
          await release(client);
          throw error;
        }
      },
    };
  },
};

async function deadlocks(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    'SELECT deadlocks::text AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(rows[0]?.n ?? 0);
}

async function waitForBlocked(client: pg.Client, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal.aborted) {
    const { rows } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))',
    );
    if ((rows[0]?.n ?? 0) > 0) return true;
    await sleep(50);
  }
  return false;
}
