import type { BaseOptions } from '@platformatic/kafka';
import { backoffDelay } from './backoff.ts';
import type { KafkaConnectionConfig } from './types.ts';

const defaultRequestTimeoutMs = 5000;

/** Library retry delays: exponential from 100 ms to 2 s, so an outage costs few requests but recovery is quick. */
const libraryRetryBackoff = { initial: 100, max: 2000 };

/** Options shared by every client created from one connection config. */
export function baseClientOptions(connection: KafkaConnectionConfig, clientIdSuffix?: string): BaseOptions {
  const timeout = connection.requestTimeoutMs ?? defaultRequestTimeoutMs;
  const options: BaseOptions = {
    clientId: clientIdSuffix ? `${connection.clientId}-${clientIdSuffix}` : connection.clientId,
    bootstrapBrokers: connection.brokers,
    // `timeout` is what the broker is told to wait (acks, topic creation); the client-side
    // `requestTimeout` must exceed it, or answers that are merely slow would be cut off.
    timeout,
    connectTimeout: timeout,
    requestTimeout: timeout * 2,
    retryDelay: (_client, _operation, attempt) => backoffDelay(attempt, libraryRetryBackoff),
  };
  if (connection.sasl) {
    const { mechanism, username, password } = connection.sasl;
    options.sasl = { mechanism, username, password };
  }
  if (connection.tls) {
    options.tls = connection.tls === true ? {} : { ...connection.tls };
  }
  return options;
}
