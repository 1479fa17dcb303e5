import { type PoolSslConfig, pgConnectionConfig } from '@kafka-poc/db';
import pg from 'pg';

/**
 * One dedicated connection that holds the relay's advisory lock (only one active relay per outbox,
 * so one key's events are never published out of order by two relays) and LISTENs for inserts.
 * LISTEN/NOTIFY is only a wake-up: notifications sent while disconnected are lost, so the relay
 * also polls on a timer.
 */
export class RelayListener {
  #client: pg.Client | undefined;
  #onNotify: () => void;
  #url: string;
  #channel: string;
  #lockKey: string;

  #ssl: PoolSslConfig | undefined;

  constructor(options: {
    url: string;
    ssl?: PoolSslConfig | undefined;
    channel: string;
    lockKey: string;
    onNotify: () => void;
  }) {
    this.#url = options.url;
    this.#ssl = options.ssl;
    this.#channel = options.channel;
    this.#lockKey = options.lockKey;
    this.#onNotify = options.onNotify;
  }

  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** Connects, tries the lock, and LISTENs when it got it. Returns whether this relay is the active one. */
  async acquire(): Promise<boolean> {
    const client = new pg.Client({
      ...pgConnectionConfig(this.#url, this.#ssl),
      application_name: 'outbox-relay',
      keepAlive: true,
    });
    client.on('error', () => this.#drop(client));
    client.on('end', () => this.#drop(client));
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
      [this.#lockKey],
    );
    if (!rows[0]?.locked) {
      await client.end().catch(() => {});
      return false;
    }
    client.on('notification', () => this.#onNotify());
    await client.query(`LISTEN "${this.#channel}"`);
    this.#client = client;
    return true;
  }

  /** Closes the connection; the lock goes with it. */
  async release(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  #drop(client: pg.Client): void {
    if (this.#client === client) this.#client = undefined;
    client.removeAllListeners('notification');
  }
}
