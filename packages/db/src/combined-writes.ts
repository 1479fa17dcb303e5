import { type SQL, sql } from 'drizzle-orm';
import type { Transaction } from './database.ts';

/**
 * Runs several writes as one statement: `WITH w0 AS (…), w1 AS (…) SELECT 1`, one round trip instead
 * of one per write (each round trip costs a socket write and a wake-up on both sides, which at low
 * rates is most of a consumer's CPU). The writes see the same snapshot, the one from before the
 * statement: combine only writes that do not read what another of them writes, and never two that
 * change the same row. Undefined entries (nothing to write) are skipped.
 */
export async function executeWrites(tx: Transaction, writes: (SQL | undefined)[]): Promise<void> {
  const present = writes.filter((w): w is SQL => w !== undefined);
  if (present.length === 0) return;
  if (present.length === 1) {
    await tx.execute(present[0] as SQL);
    return;
  }
  const ctes = sql.join(
    present.map((w, i) => sql`${sql.raw(`w${i}`)} AS (${w})`),
    sql.raw(', '),
  );
  await tx.execute(sql`WITH ${ctes} SELECT 1`);
}
