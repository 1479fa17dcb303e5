import type { Message, MessageToProduce } from '@platformatic/kafka';
import type { Headers, IncomingMessage, OutgoingMessage } from './types.ts';

type RawHeader = [Buffer | null | undefined, Buffer | null | undefined];

/** Library message (no deserializers: Buffers) to our shape. Strings are UTF-8. */
export function toIncomingMessage(message: Message): IncomingMessage {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : undefined,
    // A tombstone has no value; handlers always get a Buffer.
    value: message.value ?? Buffer.alloc(0),
    headers: headersToRecord(message.headerEntries),
    timestamp: Number(message.timestamp),
  };
}

/** Duplicate header keys are legal in Kafka; our Headers type keeps the last one, as Java's lastHeader() does. */
export function headersToRecord(entries: Iterable<RawHeader>): Headers {
  const headers: Headers = {};
  for (const [key, value] of entries) {
    if (!key) continue;
    headers[key.toString('utf8')] = value ? value.toString('utf8') : '';
  }
  return headers;
}

/** Our message to the library's, with the partition already chosen by us. */
export function toLibraryMessage(message: OutgoingMessage, partition: number): MessageToProduce {
  const headers = new Map<Buffer, Buffer>();
  for (const [key, value] of Object.entries(message.headers ?? {})) {
    headers.set(Buffer.from(key, 'utf8'), Buffer.from(value, 'utf8'));
  }
  return {
    topic: message.topic,
    partition,
    key: message.key === undefined ? undefined : Buffer.from(message.key, 'utf8'),
    value: typeof message.value === 'string' ? Buffer.from(message.value, 'utf8') : message.value,
    headers,
  };
}
