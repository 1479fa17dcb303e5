import type { IncomingMessage } from '@kafka-poc/kafka';
import type { MessageView } from '../shared/views.ts';

/** Values larger than this are cut for display (the browser gets `truncated: true`). */
export const MAX_DISPLAY_BYTES = 64 * 1024;

export type { MessageView } from '../shared/views.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function toMessageView(message: IncomingMessage): MessageView {
  const size = message.value.length;
  const bytes = size > MAX_DISPLAY_BYTES ? message.value.subarray(0, MAX_DISPLAY_BYTES) : message.value;
  let value: string;
  let encoding: MessageView['encoding'] = 'utf8';
  try {
    value = strictUtf8.decode(bytes);
  } catch {
    // A cut may split a multi-byte character: a truncated value is shown leniently.
    if (size > MAX_DISPLAY_BYTES) value = bytes.toString('utf8');
    else {
      value = bytes.toString('base64');
      encoding = 'base64';
    }
  }
  return {
    topic: message.topic,
    partition: message.partition,
    offset: String(message.offset),
    timestamp: message.timestamp,
    key: message.key ?? null,
    headers: message.headers,
    value,
    encoding,
    size,
    truncated: size > MAX_DISPLAY_BYTES,
  };
}

export interface MessageFilter {
  /** Substring of the key (case-insensitive). */
  key?: string | undefined;
  /** Substring of the key, value or any header name or value (case-insensitive). */
  text?: string | undefined;
}

export function matchesFilter(message: IncomingMessage, filter: MessageFilter): boolean {
  if (filter.key && !(message.key ?? '').toLowerCase().includes(filter.key.toLowerCase())) return false;
  if (filter.text) {
    const needle = filter.text.toLowerCase();
    const haystacks = [
      message.key ?? '',
      message.value.toString('utf8'),
      ...Object.entries(message.headers).flat(),
    ];
    if (!haystacks.some((h) => h.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/** Newest first across partitions: by timestamp, then partition and offset for a stable order. */
export function newestFirst(a: IncomingMessage, b: IncomingMessage): number {
  return b.timestamp - a.timestamp || a.partition - b.partition || compareBig(b.offset, a.offset);
}

/** Oldest first across partitions. */
export function oldestFirst(a: IncomingMessage, b: IncomingMessage): number {
  return a.timestamp - b.timestamp || a.partition - b.partition || compareBig(a.offset, b.offset);
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
