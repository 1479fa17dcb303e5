export interface MicroBatcherOptions<T, R> {
  /** Runs one batch; resolves with exactly one result per item, in the items' order. */
  run: (items: T[]) => Promise<R[]>;
  /** Most items in one batch. */
  maxBatchSize: number;
  /** Most batches running at once; while all are busy, new items queue up and form the next batch. */
  maxInFlight: number;
  /** Items with the same key never share a batch (a later one waits for the next), e.g. idempotency keys. */
  keyOf?: (item: T) => string | undefined;
  /**
   * Whether a failed batch of several items is retried one item at a time, so that one bad item
   * fails alone. Not for transient failures (all items would fail the same way again).
   */
  splitOnError?: (error: unknown) => boolean;
  /** Called as each batch starts, with its size (for metrics). */
  onBatch?: (size: number) => void;
}

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces concurrent calls into batches without a timer: a call made while a slot is free runs
 * at the next turn of the event loop (with whatever else arrived in that turn), so a lone call pays
 * no wait; under load, calls queue behind the running batches and the next batch takes them all.
 * Batch size thus follows the load, and latency stays one batch round trip.
 */
export class MicroBatcher<T, R> {
  readonly #options: MicroBatcherOptions<T, R>;
  #queue: Pending<T, R>[] = [];
  #inFlight = 0;
  #scheduled = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: MicroBatcherOptions<T, R>) {
    if (options.maxBatchSize < 1 || options.maxInFlight < 1) {
      throw new RangeError('maxBatchSize and maxInFlight must be at least 1');
    }
    this.#options = options;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Items queued or running. */
  get pending(): number {
    return this.#queue.length + this.#inFlight;
  }

  /** Resolves once every submitted item has settled. */
  drained(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#options.maxInFlight) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#inFlight < this.#options.maxInFlight && this.#queue.length > 0) {
      const batch = this.#take();
      this.#options.onBatch?.(batch.length);
      this.#inFlight++;
      void this.#runBatch(batch).finally(() => {
        this.#inFlight--;
        if (this.#queue.length > 0) this.#dispatch();
        else if (this.#inFlight === 0) this.#notifyIdle();
      });
    }
  }

  /** Takes up to maxBatchSize items in arrival order, leaving any whose key is already in the batch. */
  #take(): Pending<T, R>[] {
    const { keyOf, maxBatchSize } = this.#options;
    if (!keyOf) return this.#queue.splice(0, maxBatchSize);
    const batch: Pending<T, R>[] = [];
    const rest: Pending<T, R>[] = [];
    const keys = new Set<string>();
    for (const pending of this.#queue) {
      const key = keyOf(pending.item);
      if (batch.length >= maxBatchSize || (key !== undefined && keys.has(key))) {
        rest.push(pending);
        continue;
      }
      if (key !== undefined) keys.add(key);
      batch.push(pending);
    }
    this.#queue = rest;
    return batch;
  }

  async #runBatch(batch: Pending<T, R>[]): Promise<void> {
    try {
      const results = await this.#options.run(batch.map((p) => p.item));
      if (results.length !== batch.length) {
        throw new Error(`batch returned ${results.length} results for ${batch.length} items`);
      }
      for (const [i, pending] of batch.entries()) pending.resolve(results[i] as R);
    } catch (error) {
      if (batch.length > 1 && this.#options.splitOnError?.(error)) {
        for (const pending of batch) await this.#runBatch([pending]);
        return;
      }
      for (const pending of batch) pending.reject(error);
    }
  }

  #notifyIdle(): void {
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
