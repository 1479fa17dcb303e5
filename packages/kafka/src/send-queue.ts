import type { OutgoingMessage, ProducedOffset } from './types.ts';

export interface QueuedSend {
  messages: OutgoingMessage[];
  enqueuedAt: number;
  resolve: (offsets: ProducedOffset[]) => void;
  reject: (error: unknown) => void;
}

export interface BatchLimits {
  maxMessages: number;
  /** Approximate payload bytes (keys, values, headers); the broker rejects oversized record batches. */
  maxBytes: number;
}

/**
 * Takes whole send() calls from the head of the queue while they fit the limits (always at least
 * one call: an oversized call is sent alone rather than split, which would break its all-or-nothing
 * outcome).
 */
export function takeSends<T extends { messages: OutgoingMessage[] }>(queue: T[], limits: BatchLimits): T[] {
  let count = 0;
  let bytes = 0;
  let taken = 0;
  for (const entry of queue) {
    const entryBytes = entry.messages.reduce((sum, m) => sum + messageBytes(m), 0);
    const fits = count + entry.messages.length <= limits.maxMessages && bytes + entryBytes <= limits.maxBytes;
    if (taken > 0 && !fits) break;
    count += entry.messages.length;
    bytes += entryBytes;
    taken++;
  }
  return queue.splice(0, taken);
}

export function messageBytes(message: OutgoingMessage): number {
  let bytes =
    Buffer.byteLength(message.value) + (message.key === undefined ? 0 : Buffer.byteLength(message.key));
  for (const [key, value] of Object.entries(message.headers ?? {})) {
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  return bytes;
}

/** Total messages queued, to know whether the next request is already full and lingering is pointless. */
export function queuedMessages(queue: { messages: unknown[] }[]): number {
  return queue.reduce((sum, entry) => sum + entry.messages.length, 0);
}

/** Splits the offsets of a coalesced request back to the calls, in order. */
export function splitOffsets<T extends { messages: unknown[] }>(
  sends: T[],
  offsets: ProducedOffset[],
): ProducedOffset[][] {
  let start = 0;
  return sends.map((send) => {
    const own = offsets.slice(start, start + send.messages.length);
    start += send.messages.length;
    return own;
  });
}
