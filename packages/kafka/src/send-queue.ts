import type { OutgoingMessage, ProducedOffset } from './types.ts';

export interface QueuedSend {
  messages: OutgoingMessage[];
  enqueuedAt: number;
  resolve: (offsets: ProducedOffset[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Takes whole send() calls from the head of the queue while they fit in `maxMessages` (always at
 * least one call, so an oversized call is sent alone rather than split, which would break its
 * all-or-nothing outcome).
 */
export function takeSends<T extends { messages: unknown[] }>(queue: T[], maxMessages: number): T[] {
  let count = 0;
  let taken = 0;
  for (const entry of queue) {
    if (taken > 0 && count + entry.messages.length > maxMessages) break;
    count += entry.messages.length;
    taken++;
  }
  return queue.splice(0, taken);
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
