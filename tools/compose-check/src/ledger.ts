import { VIEWS } from '@kafka-poc/contracts';
import pg from 'pg';
import { allDone, type Completion, completionOf, describeCompletion, type OrderState } from './completion.ts';
import { waitFor } from './orders.ts';

/** The stock compose seeds (docker-compose.yml's INVENTORY_SEED default). */
export const SEED: ReadonlyMap<string, number> = new Map([
  ['Laptop', 50],
  ['Phone', 100],
  ['Headphones', 200],
  ['Monitor', 30],
  ['Keyboard', 75],
]);

/**
 * What the pipeline did, read from PostgreSQL on the host port (localhost:5432) as compose's
 * administrator: states of orders, notifications per order, and stock against reservations, from the
 * views the services publish (VIEWS), never their tables.
 */
export class Ledger {
  /** The administrator's URL (compose's app/app) on the host port. */
  readonly url: string;

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

  /** The orders of `ids` by status, and how many are done (final and notified of their status). */
  async completion(ids: string[]): Promise<Completion> {
    const rows = await this.query<OrderState>(
      `SELECT o.id, o.status,
              EXISTS (SELECT 1 FROM ${VIEWS.notifications} n WHERE n.order_id = o.id AND n.status = o.status) AS notified
         FROM ${VIEWS.orders} o WHERE o.id = ANY($1::uuid[])`,
      [ids],
    );
    return completionOf(ids, rows);
  }

  /**
   * Waits until every order is done: its status final (any decision: CONFIRMED, REJECTED, CANCELLED,
   * EXPIRED) and the notification of that status stored. Fails with the counts per status.
   */
  async waitComplete(ids: string[], timeoutMs: number): Promise<Completion & { seconds: number }> {
    const started = performance.now();
    let last: Completion | undefined;
    try {
      const c = await waitFor(`${ids.length} orders final and notified`, timeoutMs, async () => {
        last = await this.completion(ids).catch(() => last);
        return last && allDone(last) ? last : undefined;
      });
      return { ...c, seconds: (performance.now() - started) / 1000 };
    } catch (error) {
      throw new Error(`${(error as Error).message} (${last ? describeCompletion(last) : 'no answer'})`);
    }
  }

  /** Notifications stored, over every order. */
  async notificationCount(): Promise<number> {
    const [row] = await this.query<{ n: string }>(`SELECT count(*) AS n FROM ${VIEWS.notifications}`);
    return Number(row?.n ?? 0);
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
}
