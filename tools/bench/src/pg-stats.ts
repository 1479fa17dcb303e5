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

/** Calls of one statement during a phase: who ran it (role), what it is (kind), and its text. */
export interface StatementCount {
  role: string;
  kind: string;
  calls: number;
  rows: number;
  totalMs: number;
  query: string;
}

/**
 * A short, stable name for a normalized statement: transaction control as is (BEGIN, COMMIT), else
 * what it writes (`insert orders + order_outbox`; `update order_outbox → select order_outbox` for
 * a CTE that marks rows, then reads) or the first relation it reads (`select reservations`), or the
 * function it calls (`select pg_backend_pid()`).
 */
export function statementKind(query: string): string {
  const text = query
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .replace(/"/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const first = (/^\w+/.exec(text)?.[0] ?? '').toUpperCase();
  if (['BEGIN', 'COMMIT', 'ROLLBACK', 'LISTEN', 'UNLISTEN', 'SET', 'SHOW', 'NOTIFY'].includes(first))
    return first;
  const ctes = new Set(
    [...text.matchAll(/(?:\bWITH|,)\s+(\w+)\s+AS\s*\(/gi)].map((m) => m[1]?.toLowerCase()),
  );
  const relation = (part: string): string | undefined => {
    for (const m of part.matchAll(/\bFROM\s+([a-z_][\w.]*)(\s*\()?/gi)) {
      const name = (m[1] ?? '').replace(/^public\./, '');
      if (!m[2] && !ctes.has(name.toLowerCase())) return name;
    }
    return undefined;
  };
  const writes: string[] = [];
  for (const m of text.matchAll(/\b(INSERT INTO|UPDATE|DELETE FROM)\s+([a-z_][\w.]*)/gi)) {
    const verb = (m[1] ?? '').split(' ')[0]?.toLowerCase() ?? '';
    const entry = `${verb} ${(m[2] ?? '').replace(/^public\./, '')}`;
    if (!writes.includes(entry)) writes.push(entry);
  }
  if (writes.length > 0) {
    // WITH … (writes) SELECT … FROM <table>: the statement also reads a table after writing.
    const tail = first === 'WITH' ? text.slice(text.lastIndexOf(') SELECT ') + 1) : '';
    const after = tail.startsWith(' SELECT') ? relation(tail) : undefined;
    return `${joinWrites(writes)}${after ? ` → select ${after}` : ''}`;
  }
  if (first === 'SELECT' || first === 'WITH') {
    const read = relation(text);
    if (read) return `select ${read}`;
    const call = /^SELECT\s+([a-z_][\w.]*)\s*\(/i.exec(text);
    return call?.[1] ? `select ${call[1]}()` : 'select';
  }
  return first.toLowerCase() || 'other';
}

/** ["insert orders", "insert order_outbox"] → "insert orders + order_outbox". */
function joinWrites(writes: string[]): string {
  const parts: string[] = [];
  let lastVerb = '';
  for (const w of writes) {
    const [verb = '', table = ''] = w.split(' ');
    parts.push(verb === lastVerb ? table : w);
    lastVerb = verb;
  }
  return parts.join(' + ');
}

/**
 * Every statement pg_stat_statements holds for this database since the last reset, with the role
 * that ran it. The bench's own sessions are not tracked (`pg_stat_statements.track=none` in its
 * connection string, see stack.ts), so these are the services' statements.
 */
export async function statementCounts(databaseUrl: string): Promise<StatementCount[]> {
  const client = pgClient(databaseUrl);
  await client.connect();
  try {
    const { rows } = await client.query<{
      role: string | null;
      query: string;
      calls: string;
      rows: string;
      total: number;
    }>(
      `SELECT r.rolname AS role, s.query, s.calls, s.rows, s.total_exec_time AS total
         FROM pg_stat_statements s LEFT JOIN pg_roles r ON r.oid = s.userid
        WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY s.calls DESC`,
    );
    return rows.map((r) => {
      const query = r.query.replace(/\s+/g, ' ').trim();
      return {
        role: r.role ?? '?',
        kind: statementKind(query),
        calls: Number(r.calls),
        rows: Number(r.rows),
        totalMs: Math.round(r.total * 10) / 10,
        query: query.slice(0, 300),
      };
    });
  } finally {
    await client.end();
  }
}

/** Calls per kind (roles and texts of one kind summed), most called first. */
export function callsByKind(statements: StatementCount[]): [string, number][] {
  const byKind = new Map<string, number>();
  for (const s of statements) byKind.set(s.kind, (byKind.get(s.kind) ?? 0) + s.calls);
  return [...byKind].sort((a, b) => b[1] - a[1]);
}
