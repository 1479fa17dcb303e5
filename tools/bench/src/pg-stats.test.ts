import { describe, expect, it } from 'vitest';
import { callsByKind, statementKind } from './pg-stats.ts';

describe('statementKind', () => {
  it('names transaction control as is', () => {
    expect(statementKind('BEGIN')).toBe('BEGIN');
    expect(statementKind('commit')).toBe('COMMIT');
    expect(statementKind('LISTEN "order_outbox_insert"')).toBe('LISTEN');
  });

  it('names a CTE by what it writes, and by what it reads after writing', () => {
    const intake = `WITH input AS ( SELECT * FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS t(id, n) ),
      inserted AS ( INSERT INTO orders (id) SELECT id FROM input ON CONFLICT DO NOTHING RETURNING id ),
      events AS ( INSERT INTO order_outbox (topic) SELECT $9::text FROM input JOIN inserted USING (id) )
      SELECT id FROM inserted`;
    expect(statementKind(intake)).toBe('insert orders + order_outbox');
    const relay = `WITH marked AS (UPDATE order_outbox SET sent_at = now() WHERE id = ANY($1::bigint[]))
        SELECT id, topic FROM order_outbox WHERE sent_at IS NULL AND NOT (id = ANY($1::bigint[])) ORDER BY id LIMIT $2`;
    expect(statementKind(relay)).toBe('update order_outbox → select order_outbox');
  });

  it('names plain writes and reads by their table, without quotes or schema', () => {
    expect(statementKind('INSERT INTO "inventory_inbox" (event_id) SELECT * FROM unnest($1::uuid[])')).toBe(
      'insert inventory_inbox',
    );
    expect(statementKind('UPDATE "orders" AS o SET status = d.status FROM unnest($1::uuid[]) AS d(id)')).toBe(
      'update orders',
    );
    expect(statementKind('select "order_id" from "public"."reservations" where "order_id" in ($1)')).toBe(
      'select reservations',
    );
    expect(statementKind('DELETE FROM inventory_inbox WHERE event_id = ANY(ARRAY(SELECT 1))')).toBe(
      'delete inventory_inbox',
    );
  });

  it('names a function call without a relation', () => {
    expect(statementKind('SELECT pg_backend_pid() AS pid')).toBe('select pg_backend_pid()');
    expect(statementKind('SELECT $1')).toBe('select');
  });

  it('sums calls per kind over roles and texts', () => {
    const s = (kind: string, calls: number) => ({ role: 'r', kind, calls, rows: 0, totalMs: 0, query: '' });
    expect(callsByKind([s('BEGIN', 2), s('COMMIT', 2), s('BEGIN', 3)])).toEqual([
      ['BEGIN', 5],
      ['COMMIT', 2],
    ]);
  });
});
