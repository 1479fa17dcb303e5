import { type Database, isRetryableDbError } from '@kafka-poc/db';
import { backoffDelay, sleep } from '@kafka-poc/resilience';
import { AppError } from '@kafka-poc/service-kit';
import { MicroBatcher } from './micro-batcher.ts';
import {
  type CreateOrderResult,
  insertOrders,
  type NewOrder,
  type PreparedOrder,
  prepareOrder,
} from './order-repository.ts';

export interface OrderIntakeOptions {
  db: Database;
  orderEventsTopic: string;
  /** Most orders written by one statement. */
  maxBatchSize: number;
  /** Most intake statements running at once (each holds one pooled connection). */
  maxInFlight: number;
  /** Called with the size of each batch as it is written (metrics). */
  onBatch?: (size: number) => void;
  /** Called before a batch is written again after a transient failure (metrics, logs). */
  onRetry?: (error: unknown, attempt: number, batchSize: number) => void;
  /** Retries of a transient failure inside one request, within `retryBudgetMs` (defaults 4, 2 s). */
  maxAttempts?: number;
  retryBudgetMs?: number;
}

/** Short waits: a client is waiting, and deadlocks or a lost answer clear at once. */
const retryBackoff = { initialMs: 25, maxMs: 500 };

/**
 * The write path of POST /orders: concurrent requests are written together, one statement and one
 * commit per batch instead of BEGIN, two INSERTs and COMMIT per order (the intake was the one
 * per-order transaction left in the pipeline, and its round trips were most of the CPU per order).
 * Each request is still answered only after its own order and event are committed.
 *
 * Each order's id and event are fixed when it is submitted, so writing a batch again is idempotent:
 * a transient failure (a deadlock, a connection lost after the commit, a restarting database) is
 * retried here with the same values within a short budget, and an order an earlier attempt committed
 * is read back instead of inserted twice.
 */
export class OrderIntake {
  readonly #batcher: MicroBatcher<PreparedOrder, CreateOrderResult | AppError>;
  readonly #options: OrderIntakeOptions;

  constructor(options: OrderIntakeOptions) {
    this.#options = options;
    this.#batcher = new MicroBatcher({
      run: (orders) => this.#write(orders),
      maxBatchSize: options.maxBatchSize,
      maxInFlight: options.maxInFlight,
      // Two requests with one (caller, Idempotency-Key) must not race inside one statement: the
      // second waits for the next batch and is answered as a replay of the first.
      keyOf: (order) => order.storedKey ?? undefined,
      // A value Postgres refuses fails its batch; retried alone, it fails by itself (422) and the
      // other orders go in. A database outage fails everyone the same way, so no split then.
      splitOnError: (error) => !isRetryableDbError(error),
      ...(options.onBatch ? { onBatch: options.onBatch } : {}),
    });
  }

  async create(request: NewOrder): Promise<CreateOrderResult> {
    const outcome = await this.#batcher.submit(prepareOrder(this.#options.orderEventsTopic, request));
    if (outcome instanceof AppError) throw outcome;
    return outcome;
  }

  /** Waits until every accepted request has been written or has failed. */
  stop(): Promise<void> {
    return this.#batcher.drained();
  }

  async #write(orders: PreparedOrder[]): Promise<(CreateOrderResult | AppError)[]> {
    const { db, orderEventsTopic, onRetry } = this.#options;
    const maxAttempts = this.#options.maxAttempts ?? 4;
    const deadline = Date.now() + (this.#options.retryBudgetMs ?? 2000);
    for (let attempt = 1; ; attempt++) {
      try {
        return await insertOrders(db, orderEventsTopic, orders);
      } catch (error) {
        const delayMs = backoffDelay(attempt, retryBackoff);
        const retry = isRetryableDbError(error) && attempt < maxAttempts && Date.now() + delayMs < deadline;
        if (!retry) throw error;
        onRetry?.(error, attempt, orders.length);
        await sleep(delayMs);
      }
    }
  }
}
