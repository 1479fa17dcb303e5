import { VIEWS } from '@kafka-poc/contracts';
import pg from 'pg';
import { waitFor } from './orders.ts';

/** The stock compose seeds (docker-compose.yml's INVENTORY_SEED default). */
export const SEED: Record<string, number> = {
  Laptop: 50,
  Phone: 100,
  Headphones: 200,
  Monitor: 30,
  Keyboard: 75,
};

export interface Completion {
  confirmed: number;
  rejected: number;
  pending: number;
}

/**
 * What the pipeline did, read from PostgreSQL on the host port (localhost:5432) as compose's
 * administrator: states of orders, notifications per order, and stock against reservations, from the
 * views the services publish (VIEWS), never their tables.
 */
export class Ledger {
  private readonly url: string;

  constructor(url = 'postgres://app:app@127.0.0.1:5432/appdb') {
    this.url = url;
  }

  private async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async completion(ids: string[]): Promise<Completion> {
    const rows = await this.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM ${VIEWS.orders} WHERE id = ANY($1::uuid[]) GROUP BY status`,
      [ids],
    );
    const n = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
    return {
      confirmed: n('CONFIRMED'),
      rejected: n('REJECTED'),
      pending: ids.length - n('CONFIRMED') - n('REJECTED'),
    };
  }

  /** Waits until every order is CONFIRMED or REJECTED and has its one notification. */
  async waitComplete(ids: string[], timeoutMs: number): Promise<Completion> {
    let last: Completion | undefined;
    let notified = 0;
    try {
      return await waitFor(`${ids.length} orders CONFIRMED/REJECTED, each notified`, timeoutMs, async () => {
        last = await this.completion(ids).catch(() => undefined);
        notified = await this.notified(ids).catch(() => 0);
        return last && last.pending === 0 && notified === ids.length ? last : undefined;
      });
    } catch (error) {
      const state = last
        ? `${last.confirmed} confirmed, ${last.rejected} rejected, ${last.pending} pending`
        : 'no answer';
      throw new Error(`${(error as Error).message} (${state}, ${notified} notified)`);
    }
  }

  /** The roles connected to the database now (pg_stat_activity). */
  async connectedRoles(): Promise<string[]> {
    const rows = await this.query<{ role: string }>(
      `SELECT DISTINCT usename AS role FROM pg_stat_activity
        WHERE datname = current_database() AND usename IS NOT NULL ORDER BY 1`,
    );
    return rows.map((r) => r.role);
  }

  /** How many of the orders have a notification. */
  async notified(ids: string[]): Promise<number> {
    const rows = await this.query<{ n: string }>(
      `SELECT count(DISTINCT order_id) AS n FROM ${VIEWS.notifications} WHERE order_id = ANY($1::uuid[])`,
      [ids],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * No lost and no duplicated effect, over everything the run did: one notification per finished
   * order and none for others, a reservation for every confirmed order only, and each item's stock
   * equal to its seed minus what its reservations took. Returns the problems (empty when it holds).
   */
  async invariants(): Promise<{ problems: string[]; summary: string }> {
    const problems: string[] = [];
    const [counts] = await this.query<{
      orders: string;
      final: string;
      notifications: string;
      distinct: string;
    }>(
      `SELECT (SELECT count(*) FROM ${VIEWS.orders}) AS orders,
              (SELECT count(*) FROM ${VIEWS.orders} WHERE status IN ('CONFIRMED','REJECTED')) AS final,
              (SELECT count(*) FROM ${VIEWS.notifications}) AS notifications,
              (SELECT count(DISTINCT order_id) FROM ${VIEWS.notifications}) AS distinct`,
    );
    if (!counts) throw new Error('no answer from PostgreSQL');
    if (counts.notifications !== counts.distinct) {
      problems.push(`notifications: ${counts.notifications} rows for ${counts.distinct} orders`);
    }
    const [mismatch] = await this.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${VIEWS.orders} o
         LEFT JOIN ${VIEWS.notifications} n ON n.order_id = o.id
        WHERE (o.status IN ('CONFIRMED','REJECTED')) <> (n.order_id IS NOT NULL)`,
    );
    if (Number(mismatch?.n) > 0)
      problems.push(`${mismatch?.n} orders whose notification does not match their state`);
    const [reservations] = await this.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${VIEWS.orders} o JOIN ${VIEWS.reservations} r ON r.order_id = o.id
        WHERE o.status IN ('CONFIRMED','REJECTED') AND (o.status = 'CONFIRMED') <> (r.status = 'RESERVED')`,
    );
    if (Number(reservations?.n) > 0)
      problems.push(`${reservations?.n} orders whose reservation contradicts their state`);
    const stock = await this.query<{ item: string; stock: number; reserved: string }>(
      `SELECT i.item, i.stock, coalesce(sum(r.quantity) FILTER (WHERE r.status = 'RESERVED'), 0) AS reserved
         FROM ${VIEWS.stock} i LEFT JOIN ${VIEWS.reservations} r ON r.item = i.item GROUP BY i.item, i.stock`,
    );
    for (const s of stock) {
      const seed = SEED[s.item];
      if (seed !== undefined && seed - s.stock !== Number(s.reserved)) {
        problems.push(`${s.item}: stock ${s.stock}, seed ${seed}, reserved ${s.reserved}`);
      }
    }
    const summary = `${counts.orders} orders (${counts.final} finished), ${counts.notifications} notifications, stock = seed − reserved for ${stock.length} items`;
    return { problems, summary };
  }
}
