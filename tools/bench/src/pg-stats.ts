/**
 * Database-side evidence for a phase: transactions committed and WAL written (per order), and the
 * statements that took the most time (pg_stat_statements, when available).
 */
import { pgClient } from './pg-client.ts';

export interface PgSnapshot {
  commits: number;
  rollbacks: number;
  walLsn: string;
}

export interface PgDelta {
  commits: number;
  rollbacks: number;
  walBytes: number;
}

export interface StatementStat {
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
}

export async function pgSnapshot(databaseUrl: string): Promise<PgSnapshot> {
  const client = pgClient(databaseUrl);
  await client.connect();
  try {
    const { rows } = await client.query<{ commits: string; rollbacks: string; lsn: string }>(
      `SELECT xact_commit AS commits, xact_rollback AS rollbacks, pg_current_wal_lsn()::text AS lsn
         FROM pg_stat_database WHERE datname = current_database()`,
    );
    const row = rows[0];
    return {
      commits: Number(row?.commits ?? 0),
      rollbacks: Number(row?.rollbacks ?? 0),
      walLsn: row?.lsn ?? '0/0',
    };
  } finally {
    await client.end();
  }
}

/** LSN "16/B374D848" → bytes. */
export function lsnToBytes(lsn: string): number {
  const [hi = '0', lo = '0'] = lsn.split('/');
  return Number.parseInt(hi, 16) * 2 ** 32 + Number.parseInt(lo, 16);
}

export function pgDelta(before: PgSnapshot, after: PgSnapshot): PgDelta {
  return {
    commits: after.commits - before.commits,
    rollbacks: after.rollbacks - before.rollbacks,
    walBytes: lsnToBytes(after.walLsn) - lsnToBytes(before.walLsn),
  };
}

export async function resetStatements(databaseUrl: string): Promise<void> {
  const client = pgClient(databaseUrl);
  await client.connect();
  try {
    await client.query('SELECT pg_stat_statements_reset()');
  } finally {
    await client.end();
  }
}

export async function topStatements(databaseUrl: string, limit = 15): Promise<StatementStat[]> {
  const client = pgClient(databaseUrl);
  await client.connect();
  try {
    const { rows } = await client.query<{
      query: string;
      calls: string;
      total: number;
      mean: number;
      rows: string;
    }>(
      `SELECT query, calls, total_exec_time AS total, mean_exec_time AS mean, rows
         FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY total_exec_time DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      query: r.query.replace(/\s+/g, ' ').trim(),
      calls: Number(r.calls),
      totalMs: Math.round(r.total),
      meanMs: Math.round(r.mean * 1000) / 1000,
      rows: Number(r.rows),
    }));
  } finally {
    await client.end();
  }
}
