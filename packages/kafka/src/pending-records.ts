import type { FetchedRecord } from './commit-offsets.ts';

export type IsAssigned = (topic: string, partition: number) => boolean;

/**
 * Records fetched but not yet handed to the handler, with per-partition read positions.
 *
 * The library rewinds a partition to its committed offset whenever the group rebalances (and on
 * rejoin), even when this member keeps the partition; it then fetches again records this member
 * already holds or handled. Dropping any record below the partition's position removes those
 * repeats, so the handler never sees a partition go backwards within one consumer session.
 * Invariant: every offset below a position is held here, in the handler, or already handled.
 */
export class PendingRecords<R extends FetchedRecord> {
  #records: R[] = [];
  #positions = new Map<string, bigint>();

  get size(): number {
    return this.#records.length;
  }

  /** Keeps the record unless it is a repeat; returns whether it was kept. */
  add(record: R): boolean {
    const key = partitionKey(record);
    const position = this.#positions.get(key);
    if (position !== undefined && record.offset < position) return false;
    this.#positions.set(key, record.offset + 1n);
    this.#records.push(record);
    return true;
  }

  /**
   * Removes and returns up to `max` records in arrival order. Records of partitions this member no
   * longer owns are dropped, and their positions forgotten: the partition's next owner reads them,
   * and if the partition comes back here it is read again from its committed offset.
   */
  take(max: number, isAssigned: IsAssigned = () => true): R[] {
    this.#forgetUnassigned(isAssigned);
    return this.#records.splice(0, max);
  }

  #forgetUnassigned(isAssigned: IsAssigned): void {
    for (const key of [...this.#positions.keys()]) {
      const [topic, partition] = splitKey(key);
      if (!isAssigned(topic, partition)) this.#positions.delete(key);
    }
    this.#records = this.#records.filter((r) => isAssigned(r.topic, r.partition));
  }
}

function partitionKey(record: { topic: string; partition: number }): string {
  return `${record.partition}:${record.topic}`;
}

/** The partition goes first so topic names containing ':' still split correctly. */
function splitKey(key: string): [string, number] {
  const colon = key.indexOf(':');
  return [key.slice(colon + 1), Number(key.slice(0, colon))];
}
