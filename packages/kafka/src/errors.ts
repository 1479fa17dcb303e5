export type KafkaErrorCode =
  | 'KAFKA_UNREACHABLE'
  | 'KAFKA_PRODUCE_FAILED'
  | 'KAFKA_COMMIT_FAILED'
  | 'KAFKA_ADMIN_FAILED'
  | 'GROUP_NOT_EMPTY'
  | 'TOPIC_NOT_FOUND'
  | 'INVALID_ARGUMENT';

/** Every error this package throws: a code, the underlying cause, and whether retrying can help. */
export class KafkaError extends Error {
  readonly code: KafkaErrorCode;
  readonly retryable: boolean;

  constructor(code: KafkaErrorCode, message: string, options: { cause?: unknown; retryable: boolean }) {
    super(message, { cause: options.cause });
    this.name = 'KafkaError';
    this.code = code;
    this.retryable = options.retryable;
  }
}
