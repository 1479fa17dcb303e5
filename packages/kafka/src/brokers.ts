import { KafkaError } from './errors.ts';

/**
 * Parses "host:port,host2:port2" (as found in env vars) into a list of "host:port" strings.
 * IPv6 hosts must be bracketed ("[::1]:9092"), as the client library expects.
 */
export function parseBrokers(list: string): string[] {
  const brokers = list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (brokers.length === 0) {
    throw new KafkaError('INVALID_ARGUMENT', 'No Kafka broker given', { retryable: false });
  }
  return brokers.map(checkBroker);
}

function checkBroker(entry: string): string {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(entry);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) {
    throw new KafkaError('INVALID_ARGUMENT', `Invalid Kafka broker "${entry}", expected host:port`, {
      retryable: false,
    });
  }
  return `${match[1]}:${port}`;
}

/** The bootstrap list `list` starting at index `by` (mod its length), wrapping around. */
export function rotate<T>(list: readonly T[], by: number): T[] {
  if (list.length === 0) return [];
  const start = by % list.length;
  return [...list.slice(start), ...list.slice(0, start)];
}
