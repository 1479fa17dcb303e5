// Our own LISTEN loop (not pg-listen): it must re-read every watched order after each reconnect,
// which is the part a generic listener leaves to the caller anyway, over node-postgres we already use.
import type { OrderResponse } from '@kafka-poc/contracts';
import { type PoolSslConfig, pgConnectionConfig, sqlState } from '@kafka-poc/db';
import { backoffDelay, sleep } from '@kafka-poc/resilience';
import { AppError, type Logger } from '@kafka-poc/service-kit';
import pg from 'pg';

/** The channel the orders trigger notifies (migration 0002): `id:STATUS,id:STATUS,…` per statement. */
export const ORDER_STATUS_CHANNEL = 'order_status_changed';

export type OrderListener = (order: OrderResponse) => void;

export interface OrderStatusWatchOptions {
  url: string;
  ssl?: PoolSslConfig | undefined;
  logger: Logger;
  /** Most orders watched at once by this instance (waits + event streams); more are refused (503). */
  maxWatchers: number;
  /** Reads the current rows of orders (one query for many). */
  readOrders: (ids: string[]) => Promise<OrderResponse[]>;
}

/**
 * Status changes of orders, pushed to the requests waiting for them (`?wait`, event streams):
 * one LISTEN connection per instance, a map of watchers per order id, and one query per wake-up
 * for all the orders that changed and are watched. Nobody polls per client. NOTIFY is only a
 * wake-up, lost while the connection is down: after every (re)connect each watched order is read
 * again. A watcher reads its order once itself after subscribing, so a change committed between
 * its first read and its subscription is not missed.
 */
export class OrderStatusWatch {
  readonly #options: OrderStatusWatchOptions;
  readonly #watchers = new Map<string, Set<OrderListener>>();
  #count = 0;
  #client: pg.Client | undefined;
  #stopping = new AbortController();
  #loop: Promise<void> | undefined;
  #woken = new Set<string>();
  #flushing = false;

  constructor(options: OrderStatusWatchOptions) {
    this.#options = options;
  }

  /** Watchers registered right now. */
  get watching(): number {
    return this.#count;
  }

  get connected(): boolean {
    return this.#client !== undefined;
  }

  start(): void {
    this.#stopping = new AbortController();
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#client?.end().catch(() => undefined);
    await this.#loop;
    this.#loop = undefined;
  }

  /**
   * Calls `listener` with the order's row whenever it may have changed, until the returned function
   * is called. Throws 503 when this instance already watches `maxWatchers` orders.
   */
  subscribe(orderId: string, listener: OrderListener): () => void {
    if (this.#count >= this.#options.maxWatchers) {
      throw new AppError('UNAVAILABLE', 'too many clients are waiting for orders on this instance; retry', {
        retryable: true,
      });
    }
    const set = this.#watchers.get(orderId) ?? new Set<OrderListener>();
    this.#watchers.set(orderId, set);
    set.add(listener);
    this.#count++;
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.#count--;
      set.delete(listener);
      if (set.size === 0 && this.#watchers.get(orderId) === set) this.#watchers.delete(orderId);
    };
  }

  async #run(): Promise<void> {
    for (let attempt = 1; !this.#stopping.signal.aborted; attempt++) {
      try {
        const { ended } = await this.#connect();
        attempt = 0;
        // Changes made while no connection listened are only seen by reading again.
        this.#wake([...this.#watchers.keys()]);
        await ended;
      } catch (error) {
        if (this.#stopping.signal.aborted) return;
        // The reason, not the stack: this is routine while the database is down (and the start says
        // in one line when the database was never set up).
        this.#options.logger.warn(
          { reason: error instanceof Error ? error.message : String(error), code: sqlState(error), attempt },
          'order status listener reconnecting',
        );
        await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 5000 }), this.#stopping.signal).catch(
          () => undefined,
        );
      }
    }
  }

  /** Connects and LISTENs; `ended` settles when the connection ends (wrapped: an awaited promise would be adopted). */
  async #connect(): Promise<{ ended: Promise<void> }> {
    const client = new pg.Client({
      ...pgConnectionConfig(this.#options.url, this.#options.ssl),
      application_name: 'order-status-watch',
      keepAlive: true,
    });
    const ended = new Promise<void>((resolve, reject) => {
      client.on('error', (error) => reject(error));
      client.on('end', () => resolve());
    });
    ended.catch(() => undefined);
    client.on('notification', (message) => {
      if (message.channel === ORDER_STATUS_CHANNEL && message.payload) this.#onPayload(message.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${ORDER_STATUS_CHANNEL}`);
    if (this.#stopping.signal.aborted) {
      await client.end().catch(() => undefined);
      return { ended };
    }
    this.#client = client;
    return {
      ended: ended.finally(() => {
        if (this.#client === client) this.#client = undefined;
      }),
    };
  }

  #onPayload(payload: string): void {
    const ids: string[] = [];
    for (const entry of payload.split(',')) {
      const id = entry.slice(0, entry.indexOf(':'));
      if (this.#watchers.has(id)) ids.push(id);
    }
    if (ids.length > 0) this.#wake(ids);
  }

  /** Reads the woken orders together (coalesced until the read in flight is done) and tells their watchers. */
  #wake(ids: string[]): void {
    for (const id of ids) this.#woken.add(id);
    if (!this.#flushing && this.#woken.size > 0) void this.#flush();
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#woken.size > 0 && !this.#stopping.signal.aborted) {
        const ids = [...this.#woken].slice(0, 1000);
        for (const id of ids) this.#woken.delete(id);
        const rows = await this.#read(ids);
        for (const order of rows) {
          for (const listener of [...(this.#watchers.get(order.id) ?? [])]) listener(order);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #read(ids: string[]): Promise<OrderResponse[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#options.readOrders(ids);
      } catch (error) {
        if (this.#stopping.signal.aborted) return [];
        this.#options.logger.warn(
          { err: error, attempt, orders: ids.length },
          'reading watched orders failed',
        );
        await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 2000 }), this.#stopping.signal).catch(
          () => undefined,
        );
      }
    }
  }
}
