import { ServiceError } from '@kafka-poc/resilience';

export type KafkaErrorCode =
  | 'KAFKA_UNREACHABLE'
  /** SASL authentication failed (wrong user or password, mechanism not enabled): not retryable. */
  | 'KAFKA_AUTH_FAILED'
  /** TLS could not be set up (untrusted or rejected certificate, TLS vs plaintext mismatch): not retryable. */
  | 'KAFKA_TLS_FAILED'
  | 'KAFKA_PRODUCE_FAILED'
  | 'KAFKA_DELIVERY_TIMEOUT'
  | 'KAFKA_COMMIT_FAILED'
  | 'KAFKA_ADMIN_FAILED'
  | 'GROUP_NOT_EMPTY'
  /** An offset reset would move a group past records it never consumed (and it was told to refuse). */
  | 'OFFSET_RESET_SKIPS'
  | 'TOPIC_NOT_FOUND'
  | 'INVALID_ARGUMENT';

/** Every error this package throws: a code, the underlying cause, and whether retrying can help. */
export class KafkaError extends ServiceError<KafkaErrorCode> {}
