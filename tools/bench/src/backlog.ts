/**
 * Where orders wait inside the pipeline, sampled once a second with cheap queries: unsent outbox
 * rows (partial index on sent_at IS NULL) and each consumer group's Kafka lag. No per-order polling.
 */
import { VIEWS } from '@kafka-poc/contracts';
import type { KafkaAdmin } from '@kafka-poc/kafka';
import type pg from 'pg';
import { pgClient } from './pg-client.ts';
import type { Stack } from './stack.ts';

export interface BacklogSample {
  /** Seconds since the bench started. */
  t: number;
  orderOutbox: number;
  inventoryLag: number;
  inventoryOutbox: number;
  orderLag: number;
  notificationLag: number;
}

/**
 * Orders not yet through the pipeline, each counted once at its furthest-behind stage: waiting in
 * order_outbox, in order-events for inventory-service, in inventory_outbox, or in inventory-events
 * for order-service / notification-service (the same records, read by both groups: the larger lag).
 */
export function pipelineBacklog(s: BacklogSample): number {
  return s.orderOutbox + s.inventoryLag + s.inventoryOutbox + Math.max(s.orderLag, s.notificationLag);
}

export class BacklogSampler {
  readonly samples: BacklogSample[] = [];
  readonly #stack: Stack;
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #paused = false;
  readonly #origin: number;
  #errors = 0;

  /** `origin`: the performance.now() that sample times count from (the bench's start). */
  constructor(stack: Stack, origin: number) {
    this.#stack = stack;
    this.#origin = origin;
  }

  get errors(): number {
    return this.#errors;
  }

  async start(intervalMs = 1000): Promise<void> {
    this.#client = pgClient(this.#stack.databaseUrl, 'bench-backlog');
    await this.#client.connect();
    this.#timer = setInterval(() => void this.#tick(), intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    while (this.#busy) await new Promise((resolve) => setTimeout(resolve, 20));
    await this.#client?.end().catch(() => undefined);
    this.#client = undefined;
  }

  latest(): BacklogSample | undefined {
    return this.samples.at(-1);
  }

  /** One sample now (also used by the drain wait). */
  async sample(): Promise<BacklogSample> {
    const client = this.#client;
    if (!client) throw new Error('backlog sampler not started');
    const [outbox, inventoryLag, orderLag, notificationLag] = await Promise.all([
      client.query<{ o: string; i: string }>(
        `SELECT (SELECT count(*) FROM ${VIEWS.orderOutbox} WHERE sent_at IS NULL) AS o,
                (SELECT count(*) FROM ${VIEWS.inventoryOutbox} WHERE sent_at IS NULL) AS i`,
      ),
      groupLag(this.#stack.admin, this.#stack.groups.inventory),
      groupLag(this.#stack.admin, this.#stack.groups.order),
      groupLag(this.#stack.admin, this.#stack.groups.notification),
    ]);
    return {
      t: Math.round((performance.now() - this.#origin) / 100) / 10,
      orderOutbox: Number(outbox.rows[0]?.o ?? 0),
      inventoryOutbox: Number(outbox.rows[0]?.i ?? 0),
      inventoryLag,
      orderLag,
      notificationLag,
    };
  }

  /** No samples until resume() (a phase that measures the pipeline's own cost). */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
  }

  async #tick(): Promise<void> {
    if (this.#busy || this.#paused) return;
    this.#busy = true;
    try {
      this.samples.push(await this.sample());
    } catch {
      this.#errors++;
    } finally {
      this.#busy = false;
    }
  }
}

async function groupLag(admin: KafkaAdmin, group: { groupId: string; topics: string[] }): Promise<number> {
  const partitions = await admin.groupLag(group.groupId, group.topics);
  return partitions.reduce((sum, p) => sum + Number(p.lag), 0);
}
