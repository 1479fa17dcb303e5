import { type SQL, sql } from 'drizzle-orm';
import type { Transaction } from './database.ts';

/**
 * Several writes as one statement: `WITH w0 AS (…), w1 AS (…) SELECT 1`, one round trip instead of
 * one per write (each round trip costs a socket write and a wake-up on both sides, which at low
 * rates is most of a consumer's CPU). The writes see the same snapshot, the one from before the
 * statement: combine only writes that do not read what another of them writes, and never two that
 * change the same row. Undefined entries (nothing to write) are skipped; undefined if none is left.
 */
export function combineWrites(writes: (SQL | undefined)[]): SQL | undefined {
  const present = writes.filter((w): w is SQL => w !== undefined);
  if (present.length <= 1) return present[0];
  const ctes = sql.join(
    present.map((w, i) => sql`${sql.raw(`w${i}`)} AS (${w})`),
    sql.raw(', '),
  );
  return sql`WITH ${ctes} SELECT 1`;
}

/** Runs combineWrites(writes) in the transaction, if there is anything to write. */
export async function executeWrites(tx: Transaction, writes: (SQL | undefined)[]): Promise<void> {
  const statement = combineWrites(writes);
  if (statement) await tx.execute(statement);
}
