import type { Readable } from 'node:stream';
import type { FetchedRecord } from './commit-offsets.ts';
import { type IsAssigned, PendingRecords } from './pending-records.ts';

export interface BatchLimits {
  maxSize: number;
  maxWaitMs: number;
}

/**
 * Pulls records from the library's message stream into batches. It reads only while fewer than
 * `bufferLimit` records are pending, so a slow handler leaves records in the stream, whose own
 * high-water mark then pauses fetching.
 */
export class StreamReader<R extends FetchedRecord> {
  readonly #convert: (chunk: unknown) => R;
  readonly #bufferLimit: number;
  readonly #pending = new PendingRecords<R>();
  #stream: Readable | undefined;
  #done = true;
  #failure: unknown;
  #wake: (() => void) | undefined;

  constructor(convert: (chunk: unknown) => R, bufferLimit: number) {
    this.#convert = convert;
    this.#bufferLimit = bufferLimit;
  }

  /**
   * Reads from `stream` from now on. Pending records and read positions are kept: a replacement
   * stream starts again at the committed offsets, and the positions drop what this reader already has.
   */
  attach(stream: Readable): void {
    this.#stream = stream;
    this.#done = false;
    this.#failure = undefined;
    const current = (): boolean => this.#stream === stream;
    stream.on('readable', () => {
      if (current()) this.#notify();
    });
    stream.on('error', (error) => {
      if (!current()) return;
      this.#failure ??= error;
      this.#finish();
    });
    stream.on('end', () => current() && this.#finish());
    stream.on('close', () => current() && this.#finish());
  }

  /** Set once the current stream has ended or failed: it must be replaced. */
  get done(): boolean {
    return this.#done;
  }

  get failure(): unknown {
    return this.#failure;
  }

  /**
   * Resolves with the next batch: waits for a first record, then up to maxWaitMs for more (or until
   * maxSize). Resolves with [] when the signal aborts or the stream is done and nothing is pending;
   * it may also be [] when every pending record belonged to partitions no longer assigned.
   */
  async next(limits: BatchLimits, signal: AbortSignal, isAssigned: IsAssigned): Promise<R[]> {
    while (this.#pull() === 0) {
      if (this.#done || signal.aborted) return [];
      await this.#waitForData(signal);
    }
    const deadline = Date.now() + limits.maxWaitMs;
    while (this.#pull() < limits.maxSize && !this.#done && !signal.aborted) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      await this.#waitForData(signal, remaining);
    }
    const batch = this.#pending.take(limits.maxSize, isAssigned);
    this.#pull();
    return batch;
  }

  /** Moves records from the stream into the pending buffer; returns how many are pending. */
  #pull(): number {
    const stream = this.#stream;
    while (stream && this.#pending.size < this.#bufferLimit && !stream.destroyed) {
      const chunk: unknown = stream.read();
      if (chunk === null) break;
      this.#pending.add(this.#convert(chunk));
    }
    return this.#pending.size;
  }

  #waitForData(signal: AbortSignal, timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.#wake === done) this.#wake = undefined;
        resolve();
      };
      if (timeoutMs !== undefined) timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }

  #notify(): void {
    this.#wake?.();
  }

  #finish(): void {
    this.#done = true;
    this.#notify();
  }
}
