import { type Database, isRetryableDbError } from '@kafka-poc/db';
import { AppError } from '@kafka-poc/service-kit';
import { MicroBatcher } from './micro-batcher.ts';
import { type CreateOrderResult, insertOrders, type NewOrder } from './order-repository.ts';

export interface OrderIntakeOptions {
  db: Database;
  orderEventsTopic: string;
  /** Most orders written by one statement. */
  maxBatchSize: number;
  /** Most intake statements running at once (each holds one pooled connection). */
  maxInFlight: number;
  /** Called with the size of each batch as it is written (metrics). */
  onBatch?: (size: number) => void;
}

/**
 * The write path of POST /orders: concurrent requests are written together, one statement and one
 * commit per batch instead of BEGIN, two INSERTs and COMMIT per order (the intake was the one
 * per-order transaction left in the pipeline, and its round trips were most of the CPU per order).
 * Each request is still answered only after its own order and event are committed.
 */
export class OrderIntake {
  readonly #batcher: MicroBatcher<NewOrder, CreateOrderResult | AppError>;

  constructor(options: OrderIntakeOptions) {
    this.#batcher = new MicroBatcher({
      run: (requests) => insertOrders(options.db, options.orderEventsTopic, requests),
      maxBatchSize: options.maxBatchSize,
      maxInFlight: options.maxInFlight,
      // Two requests with one Idempotency-Key must not race inside one statement: the second waits
      // for the next batch and is answered as a replay of the first.
      keyOf: (request) => request.idempotencyKey,
      // A value Postgres refuses fails its batch; retried alone, it fails by itself (422) and the
      // other orders go in. A database outage fails everyone the same way, so no split then.
      splitOnError: (error) => !isRetryableDbError(error),
      ...(options.onBatch ? { onBatch: options.onBatch } : {}),
    });
  }

  async create(request: NewOrder): Promise<CreateOrderResult> {
    const outcome = await this.#batcher.submit(request);
    if (outcome instanceof AppError) throw outcome;
    return outcome;
  }

  /** Waits until every accepted request has been written or has failed. */
  stop(): Promise<void> {
    return this.#batcher.drained();
  }
}
